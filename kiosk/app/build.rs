fn main() {
    // Debug builds (and so the tests) carry element debug info, which the
    // accessibility-driven UI tests (i-slint-backend-testing's ElementHandle) need.
    // Release builds for the terminal leave it out.
    let debug_info = std::env::var("PROFILE").as_deref() == Ok("debug");
    let config = slint_build::CompilerConfiguration::new().with_debug_info(debug_info);
    slint_build::compile_with_config("ui/app.slint", config).expect("the kiosk UI compiles");
}
