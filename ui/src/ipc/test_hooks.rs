//! Answers the end-to-end tests give in place of native dialogs, which
//! WebDriver cannot drive. Built only with the `test-hooks` feature (the
//! debug build the tests run); a release build has no such door.

/// The string a test put in `window[name]`, if any.
#[cfg(feature = "test-hooks")]
pub fn answer(name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|window| {
            js_sys::Reflect::get(&window, &wasm_bindgen::JsValue::from_str(name)).ok()
        })
        .and_then(|value| value.as_string())
}

/// Without the feature no test answers.
#[cfg(not(feature = "test-hooks"))]
pub fn answer(_name: &str) -> Option<String> {
    None
}
