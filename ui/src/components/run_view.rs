//! The Run view: where the user picks a plugin and runs a task.

use yew::prelude::*;

use super::tasks::TaskRunner;

/// The Run view.
#[function_component(RunView)]
pub fn run_view() -> Html {
    html! {
        <section class="view" data-testid="view-run" aria-labelledby="run-title">
            <h2 id="run-title">{ "Run a task" }</h2>
            <TaskRunner />
        </section>
    }
}
