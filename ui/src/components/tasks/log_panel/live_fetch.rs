//! What follows a running task's count (its level timeline, its outline):
//! fetched on open and again whenever the count moves, with one fetch out
//! at a time. When a fetch is back and the count moved meanwhile, it is
//! fetched again at once. At 10,000 entries a second the count moves
//! faster than a fetch returns: dropping the answer of every fetch a newer
//! count overtook would leave the view still until the task ends. The
//! count itself moves at most every 250 ms (the core's count feed, after
//! a write): a view that must keep closer to the task (the timeline) is
//! also fetched every [`POLL`] while the task runs, and a read of a
//! running task writes what is waiting first.

use std::cell::RefCell;
use std::rc::Rc;

use taskdeck_protocol::commands::Command;
use yew::prelude::*;

use crate::ipc;

/// How often a polled view is fetched while its task runs, in ms.
pub const POLL: u32 = 100;

/// What the fetch loop is asked for, shared between renders.
struct Wanted {
    task_id: AttrValue,
    /// Moves with every change of task or count.
    generation: u64,
    /// A fetch loop is running.
    running: bool,
    /// Fetch every [`POLL`] as well (the task runs).
    polled: bool,
    unmounted: bool,
}

/// The newest answer of `ask(task_id)`, fetched again as `moved` changes,
/// and every [`POLL`] while `polled`. An answer for a task no longer shown
/// is dropped; a failed fetch keeps the last answer (these views are aids:
/// without them the rows work).
#[hook]
pub fn use_live_fetch<C, K>(
    task_id: AttrValue,
    moved: K,
    polled: bool,
    ask: fn(&str) -> C,
) -> Option<Rc<C::Output>>
where
    C: Command + 'static,
    K: PartialEq + 'static,
{
    let answer = use_state(|| None::<Rc<C::Output>>);
    let wanted = use_mut_ref(|| Wanted {
        task_id: task_id.clone(),
        generation: 0,
        running: false,
        polled: false,
        unmounted: false,
    });
    {
        let wanted = Rc::clone(&wanted);
        use_effect_with((), move |()| move || wanted.borrow_mut().unmounted = true);
    }
    {
        let (answer, wanted) = (answer.clone(), Rc::clone(&wanted));
        use_effect_with((task_id, moved, polled), move |(task_id, _, polled)| {
            let start = {
                let mut asked = wanted.borrow_mut();
                asked.task_id = task_id.clone();
                asked.polled = *polled;
                asked.generation += 1;
                !std::mem::replace(&mut asked.running, true)
            };
            if start {
                wasm_bindgen_futures::spawn_local(fetch_while_wanted(wanted, answer, ask));
            }
        });
    }
    (*answer).clone()
}

/// Fetches until an answer is for the newest request and no polling is
/// asked for.
async fn fetch_while_wanted<C: Command>(
    wanted: Rc<RefCell<Wanted>>,
    answer: UseStateHandle<Option<Rc<C::Output>>>,
    ask: fn(&str) -> C,
) {
    loop {
        let (task_id, generation) = {
            let asked = wanted.borrow();
            (asked.task_id.clone(), asked.generation)
        };
        let found = ipc::invoke(&ask(&task_id)).await;
        let (unmounted, same_task) = {
            let asked = wanted.borrow();
            (asked.unmounted, asked.task_id == task_id)
        };
        if unmounted {
            return;
        }
        // Not borrowed here: setting the state may render at once, and the
        // render's effect asks again.
        if let Ok(found) = found
            && same_task
        {
            answer.set(Some(Rc::new(found)));
        }
        let polled = {
            let mut asked = wanted.borrow_mut();
            if asked.generation == generation && !asked.polled {
                asked.running = false;
                return;
            }
            asked.polled && asked.generation == generation
        };
        if polled {
            gloo_timers::future::TimeoutFuture::new(POLL).await;
        }
    }
}
