//! The placeholder a view shows when it has nothing to list, saying why and
//! what will fill it.

use yew::prelude::*;

/// Properties of [`EmptyState`].
#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    /// What is missing, in one sentence.
    pub message: AttrValue,
    /// What will fill the space, or what the user can do.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

/// The empty-state box.
#[function_component(EmptyState)]
pub fn empty_state(props: &EmptyStateProps) -> Html {
    html! {
        <div class="empty-state" data-testid="empty-state">
            <p>{ props.message.clone() }</p>
            if let Some(hint) = &props.hint {
                <p class="muted">{ hint.clone() }</p>
            }
        </div>
    }
}
