//! `kiosk config check FILE` on malformed configurations: every case names the
//! file, the line and the key, and the kiosk exits non-zero.
//!
//! Each case writes a terminal config (and, where the case is about the catalog,
//! a catalog) into its own temporary folder and runs the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

const DEMO: &str = include_str!("../../../config/demo.toml");
const CATALOG: &str = include_str!("../../../config/catalog.toml");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The demo config with its fixture paths made absolute, so it works from a temp dir.
fn base_config() -> String {
    let r = repo();
    DEMO.replace("../assets/", &format!("{}/assets/", r.display()))
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(config: &str, catalog: Option<&str>) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kiosk.toml"), config).unwrap();
        if let Some(c) = catalog {
            std::fs::write(dir.path().join("catalog.toml"), c).unwrap();
        }
        Case { dir }
    }
    /// Runs `kiosk config check kiosk.toml` in the case folder: (exit code, stdout lines).
    fn check(&self) -> (i32, Vec<String>) {
        let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["config", "check", "kiosk.toml"])
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        (
            out.status.code().unwrap_or(-1),
            text.lines().map(str::to_string).collect(),
        )
    }
}

/// Replaces exactly one occurrence of `from` in `text`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

/// Asserts the check fails with exactly these problems.
fn expect(config: &str, catalog: Option<&str>, want: &[String]) {
    let (code, lines) = Case::new(config, catalog.or(Some(CATALOG))).check();
    assert_eq!(code, 2, "a bad config exits with 2; got {lines:?}");
    assert_eq!(lines, want);
}

#[test]
fn the_demo_config_and_example_pass() {
    for f in ["config/demo.toml", "config/terminal.example.toml"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["config", "check", f])
            .current_dir(repo())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{f}: {text}");
        assert!(
            text.starts_with(&format!("{f}: ok (8 service items")),
            "{text}"
        );
    }
}

#[test]
fn unknown_key_is_an_error_at_its_own_line() {
    let cfg = edit(
        &base_config(),
        "fullscreen = false\n",
        "fullscreen = false\nbrightness = 80\n",
    );
    let l = line_of(&cfg, "brightness");
    expect(&cfg, None, &[format!(
        "kiosk.toml:{l}: display.brightness: unknown key (expected one of `orientation`, `long_side`, `short_side`, `fullscreen`, `default_mode`, `elderly_offer_age`)"
    )]);
}

#[test]
fn unknown_section_is_an_error() {
    let cfg = base_config() + "\n[devices.scanner]\nkind = \"simulated\"\n";
    let l = line_of(&cfg, "[devices.scanner]");
    expect(&cfg, None, &[format!(
        "kiosk.toml:{l}: devices.scanner: unknown key (expected one of `idcard`, `camera`, `printer`, `ticket`, `a4`)"
    )]);
}

#[test]
fn wrong_type_names_what_was_expected() {
    let cfg = edit(&base_config(), "long_side = 1920", "long_side = \"1920\"");
    let l = line_of(&cfg, "long_side");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: display.long_side: invalid type: string \"1920\", expected u32"
        )],
    );
}

#[test]
fn unknown_enum_value_lists_the_choices() {
    let cfg = edit(
        &base_config(),
        "orientation = \"portrait\"",
        "orientation = \"diagonal\"",
    );
    let l = line_of(&cfg, "orientation");
    expect(&cfg, None, &[format!(
        "kiosk.toml:{l}: display.orientation: unknown variant `diagonal`, expected `portrait` or `landscape`"
    )]);
}

#[test]
fn missing_required_key() {
    let cfg = edit(&base_config(), "id = \"DEMO-01\"\n", "");
    let l = line_of(&cfg, "[terminal]");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: terminal.id: required key is missing"
        )],
    );
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let cfg = edit(
        &base_config(),
        "name.zh-CN = \"汉南区",
        "name.zh-CN = \"汉南区\n",
    );
    let l = line_of(&cfg, "name.zh-CN = \"汉南区");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: terminal.name.zh-CN: TOML syntax error: invalid basic string"
        )],
    );
}

#[test]
fn idle_times_that_make_no_sense() {
    let cfg = edit(
        &base_config(),
        "idle_timeout_secs = 120",
        "idle_timeout_secs = 10",
    );
    let t = line_of(&cfg, "idle_timeout_secs");
    let w = line_of(&cfg, "idle_warning_secs");
    expect(&cfg, None, &[
        format!("kiosk.toml:{t}: session.idle_timeout_secs: 10 s is too short for a citizen to read a screen (at least 15)"),
        format!("kiosk.toml:{w}: session.idle_warning_secs: 20 must be at least 1 and less than idle_timeout_secs (10)"),
    ]);
}

#[test]
fn elderly_idle_times_give_more_time_or_are_refused() {
    let cfg = edit(
        &base_config(),
        "idle_warning_secs = 20",
        "idle_warning_secs = 20\nelderly_idle_timeout_secs = 60\nelderly_idle_warning_secs = 10",
    );
    let t = line_of(&cfg, "elderly_idle_timeout_secs");
    let w = line_of(&cfg, "elderly_idle_warning_secs");
    expect(&cfg, None, &[
        format!("kiosk.toml:{t}: session.elderly_idle_timeout_secs: 60 s is shorter than idle_timeout_secs (120): elderly mode gives more time, not less"),
        format!("kiosk.toml:{w}: session.elderly_idle_warning_secs: 10 must be at least 20 (time to ask for more) and less than the elderly timeout (60)"),
    ]);
}

#[test]
fn an_elderly_offer_age_that_is_no_age_is_refused() {
    let cfg = edit(
        &base_config(),
        "short_side = 1080",
        "short_side = 1080\nelderly_offer_age = 6",
    );
    let l = line_of(&cfg, "elderly_offer_age");
    expect(&cfg, None, &[format!(
        "kiosk.toml:{l}: display.elderly_offer_age: 6 is not an age to offer 长辈模式 from (40 ..= 100, or 0 for never)"
    )]);
}

#[test]
fn screen_sides_out_of_range_and_swapped() {
    let cfg = edit(&base_config(), "short_side = 1080", "short_side = 2000");
    let l = line_of(&cfg, "short_side");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: display.short_side: 2000 is longer than long_side 1920"
        )],
    );
    let cfg = edit(&base_config(), "long_side = 1920", "long_side = 100000");
    let l = line_of(&cfg, "long_side");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: display.long_side: 100000 is outside 240..=7680 pixels"
        )],
    );
}

#[test]
fn hall_url_and_listen_address() {
    let cfg = edit(
        &base_config(),
        "listen = \"127.0.0.1:0\"",
        "listen = \"localhost\"",
    );
    let l = line_of(&cfg, "listen");
    expect(
        &cfg,
        None,
        &[format!(
            "kiosk.toml:{l}: hall.listen: \"localhost\" is not an address like 127.0.0.1:8080"
        )],
    );
    let cfg = edit(
        &base_config(),
        "url = \"embedded\"",
        "url = \"ftp://hall.example\"",
    );
    let l = line_of(&cfg, "url =");
    expect(&cfg, None, &[format!("kiosk.toml:{l}: hall.url: \"ftp://hall.example\" must be \"embedded\" or an http(s):// URL")]);
}

#[test]
fn terminal_id_with_spaces() {
    let cfg = edit(&base_config(), "id = \"DEMO-01\"", "id = \"DEMO 01\"");
    let l = line_of(&cfg, "id = \"DEMO 01\"");
    expect(&cfg, None, &[format!("kiosk.toml:{l}: terminal.id: \"DEMO 01\" must be letters, digits and '-' only, not empty")]);
}

#[test]
fn simulated_devices_need_their_fixtures() {
    let cfg = base_config();
    let r = repo();
    let cfg = edit(
        &cfg,
        &format!("{}/assets/sim/idcard/ouyang-yan.json", r.display()),
        "nobody.json",
    );
    let cfg = edit(
        &cfg,
        &format!("{}/assets/sim/camera", r.display()),
        "no-such-folder",
    );
    let c = line_of(&cfg, "nobody.json");
    let f = line_of(&cfg, "no-such-folder");
    let case = Case::new(&cfg, Some(CATALOG));
    let (code, lines) = case.check();
    assert_eq!(code, 2);
    // The message names the path as resolved against the config file's folder.
    assert_eq!(
        lines,
        vec![
            format!("kiosk.toml:{c}: devices.idcard.card: ./nobody.json does not exist"),
            format!("kiosk.toml:{f}: devices.camera.folder: ./no-such-folder is not a folder"),
        ]
    );
}

#[test]
fn a_usb_reader_needs_its_ids_and_the_right_endpoint_directions() {
    let cfg = edit(
        &base_config(),
        "[devices.idcard]\n# The GA 467 simulator on a pty, read through the real serial driver.\nkind = \"simulated\"",
        "[devices.idcard]\nkind = \"usb\"\nusb_ep_in = 0x01",
    );
    let head = line_of(&cfg, "[devices.idcard]");
    let ep = line_of(&cfg, "usb_ep_in");
    expect(&cfg, None, &[
        format!("kiosk.toml:{head}: devices.idcard.usb_vid: a USB reader needs its vendor id (like 0x0400)"),
        format!("kiosk.toml:{head}: devices.idcard.usb_pid: a USB reader needs its product id (like 0xc35a)"),
        format!("kiosk.toml:{ep}: devices.idcard.usb_ep_in: 0x01 is not an IN endpoint (bit 7 set, like 0x81)"),
    ]);
}

#[test]
fn a_serial_reader_needs_a_port_and_a_known_baud_rate() {
    let cfg = edit(
        &base_config(),
        "kind = \"simulated\"\nbaud = 115200",
        "kind = \"serial\"\nbaud = 12345",
    );
    let head = line_of(&cfg, "[devices.idcard]");
    let baud = line_of(&cfg, "baud = 12345");
    expect(&cfg, None, &[
        format!("kiosk.toml:{baud}: devices.idcard.baud: 12345 is not one of 9600, 19200, 38400, 57600, 115200"),
        format!("kiosk.toml:{head}: devices.idcard.port: a serial reader needs its port (like /dev/ttyUSB0)"),
    ]);
}

#[test]
fn a_network_printer_needs_a_valid_address() {
    let cfg = edit(
        &base_config(),
        "[devices.printer]\nkind = \"simulated\"",
        "[devices.printer]\nkind = \"tcp\"\naddr = \"printer-1\"",
    );
    let l = line_of(&cfg, "addr = \"printer-1\"");
    expect(&cfg, None, &[format!("kiosk.toml:{l}: devices.printer.addr: \"printer-1\" is not an address like 192.168.1.50:9100")]);
}

#[test]
fn serial_usb_and_file_printers_need_their_port_ids_and_device() {
    let cfg = edit(
        &base_config(),
        "[devices.printer]\nkind = \"simulated\"",
        "[devices.printer]\nkind = \"serial\"\nbaud = 0",
    );
    let head = line_of(&cfg, "[devices.printer]");
    let baud = line_of(&cfg, "baud = 0");
    expect(&cfg, None, &[
        format!("kiosk.toml:{head}: devices.printer.port: a serial printer needs its port (like /dev/ttyS1)"),
        format!("kiosk.toml:{baud}: devices.printer.baud: 0 is not a serial baud rate (50 to 4000000)"),
    ]);
    let cfg = edit(
        &base_config(),
        "[devices.printer]\nkind = \"simulated\"",
        "[devices.printer]\nkind = \"usb\"\nusb_vid = 0x0fe6\nusb_ep_in = 0x02",
    );
    let head = line_of(&cfg, "[devices.printer]");
    let ep = line_of(&cfg, "usb_ep_in = 0x02");
    expect(&cfg, None, &[
        format!("kiosk.toml:{head}: devices.printer.usb_pid: a USB printer needs its product id (like 0xc35a)"),
        format!("kiosk.toml:{ep}: devices.printer.usb_ep_in: 0x02 is not an IN endpoint (bit 7 set, like 0x81)"),
    ]);
    let cfg = edit(
        &base_config(),
        "[devices.printer]\nkind = \"simulated\"",
        "[devices.printer]\nkind = \"file\"\npaper_mm = 76",
    );
    let head = line_of(&cfg, "[devices.printer]");
    let paper = line_of(&cfg, "paper_mm = 76");
    expect(&cfg, None, &[
        format!("kiosk.toml:{paper}: devices.printer.paper_mm: 76 is not 58 or 80"),
        format!("kiosk.toml:{head}: devices.printer.device: a device-file printer needs its device (like /dev/usb/lp0)"),
    ]);
}

#[test]
fn missing_catalog_file() {
    let cfg = base_config();
    let l = line_of(&cfg, "catalog =");
    let (code, lines) = Case::new(&cfg, None).check();
    assert_eq!(code, 2);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with(&format!(
            "kiosk.toml:{l}: terminal.catalog: cannot read ./catalog.toml: "
        )),
        "{lines:?}"
    );
}

#[test]
fn catalog_unknown_key_names_the_item() {
    let cat = edit(
        CATALOG,
        "id = \"senior-card\"\n",
        "id = \"senior-card\"\nprice = 0\n",
    );
    let l = line_of(&cat, "price = 0");
    expect(&base_config(), Some(&cat), &[format!(
        "./catalog.toml:{l}: item[1].price: unknown key (expected one of `id`, `name`, `department`, `kind`, `promised_days`, `fee`, `legal_basis`, `conditions`, `delivery`, `materials`, `fields`)"
    )]);
}

#[test]
fn catalog_semantic_problems_are_all_reported() {
    // A choice with no options, a promised item with no promise period.
    let cat = edit(
        CATALOG,
        "options = [\"200\", \"300\", \"500\", \"1000\", \"2000\", \"3000\"]\n",
        "",
    );
    let cat = edit(
        &cat,
        "promised_days = 5\nfee.zh-CN = \"不收费\"\nfee.zh-TW = \"不收費\"\nfee.en = \"Free of charge\"\nlegal_basis.zh-CN = \"《中华人民共和国老年人权益保障法》",
        "fee.zh-CN = \"不收费\"\nfee.zh-TW = \"不收費\"\nfee.en = \"Free of charge\"\nlegal_basis.zh-CN = \"《中华人民共和国老年人权益保障法》",
    );
    // A missing key is reported at the header of the table it belongs in.
    let grade = line_of(&cat, "key = \"grade\"") - 1;
    let senior = line_of(&cat, "id = \"senior-card\"") - 1;
    expect(&base_config(), Some(&cat), &[
        format!("./catalog.toml:{grade}: item[0].fields[4].options: a choice field needs options"),
        format!("./catalog.toml:{senior}: item[1].promised_days: a promised item (kind = \"promised\") needs a promise period of at least 1 day"),
    ]);
}

#[test]
fn catalog_duplicate_item_id() {
    let cat = edit(CATALOG, "id = \"senior-card\"", "id = \"pension-enroll\"");
    let l = line_of(&cat, "name.zh-CN = \"老年人优待证办理\"") - 1;
    expect(
        &base_config(),
        Some(&cat),
        &[format!("./catalog.toml:{l}: item[1].id: duplicate item id")],
    );
}

#[test]
fn unreadable_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["config", "check", "absent.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("absent.toml:0: -: cannot read the file: "),
        "{text}"
    );
}

#[test]
fn the_kiosk_refuses_to_start_on_an_invalid_config() {
    let cfg = edit(
        &base_config(),
        "fullscreen = false\n",
        "fullscreen = false\nbrightness = 80\n",
    );
    let case = Case::new(&cfg, Some(CATALOG));
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--config", "kiosk.toml"])
        .current_dir(case.dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("display.brightness: unknown key"), "{err}");
}

#[test]
fn camera_scan_options_and_a_v4l2_device_are_checked() {
    let r = repo();
    let folder = format!("folder = \"{}/assets/sim/camera\"", r.display());
    let cfg = edit(
        &base_config(),
        &folder,
        "device = \"video0\"\ndpi = 1200\nquality = 0\npreview_width = 20",
    );
    let cfg = edit(
        &cfg,
        "[devices.camera]\nkind = \"simulated\"",
        "[devices.camera]\nkind = \"v4l2\"",
    );
    let (dpi, q, pw, dev) = (
        line_of(&cfg, "dpi = 1200"),
        line_of(&cfg, "quality = 0"),
        line_of(&cfg, "preview_width = 20"),
        line_of(&cfg, "device = \"video0\""),
    );
    expect(&cfg, Some(CATALOG), &[
        format!("kiosk.toml:{dpi}: devices.camera.dpi: 1200 is outside 50..=600 (200 is usual, 300 for fine print)"),
        format!("kiosk.toml:{q}: devices.camera.quality: 0 is outside 1..=100"),
        format!("kiosk.toml:{pw}: devices.camera.preview_width: 20 is outside 160..=1920 pixels"),
        format!("kiosk.toml:{dev}: devices.camera.device: video0 is not a device node like /dev/video0"),
    ]);
}

#[test]
fn a_text_missing_in_an_offered_language_is_named_with_its_file_line_and_key() {
    // The household register's English name is gone, and a condition is missing in zh-TW.
    let cat = edit(CATALOG, "name.en = \"Household register\"\nnote.zh-CN = \"户主页及本人页\"\nnote.zh-TW = \"戶主頁及本人頁\"\nnote.en = \"The head-of-household page and your own page\"\ntolerated = true\ntolerance_days = 5", "note.zh-CN = \"户主页及本人页\"\nnote.zh-TW = \"戶主頁及本人頁\"\nnote.en = \"The head-of-household page and your own page\"\ntolerated = true\ntolerance_days = 5");
    let cat = edit(&cat, "  \"年滿16週歲（不含在校學生）\",\n", "");
    let name = line_of(&cat, "name.zh-CN = \"户口簿\"");
    let cond = line_of(&cat, "conditions.zh-TW = [");
    expect(&base_config(), Some(&cat), &[
        format!("./catalog.toml:{name}: item[0].materials[1].name.en: no en text, but the terminal offers en"),
        format!("./catalog.toml:{cond}: item[0].conditions.zh-TW: 2 conditions, but zh-CN has 3: one each, in the same order"),
    ]);
    // A terminal that offers only zh-CN and zh-TW does not need the English.
    let only = edit(
        &base_config(),
        "[terminal]\n",
        "[terminal]\nlanguages = [\"zh-CN\", \"zh-TW\"]\n",
    );
    let cat2 = edit(CATALOG, "name.en = \"Household register\"\nnote.zh-CN = \"户主页及本人页\"\nnote.zh-TW = \"戶主頁及本人頁\"\nnote.en = \"The head-of-household page and your own page\"\ntolerated = true\ntolerance_days = 5", "note.zh-CN = \"户主页及本人页\"\nnote.zh-TW = \"戶主頁及本人頁\"\nnote.en = \"The head-of-household page and your own page\"\ntolerated = true\ntolerance_days = 5");
    let (code, lines) = Case::new(&only, Some(&cat2)).check();
    assert_eq!(code, 0, "{lines:?}");
}

#[test]
fn languages_must_be_known_and_the_default_among_them() {
    let cfg = edit(
        &base_config(),
        "[terminal]\n",
        "[terminal]\nlanguages = [\"zh-CN\", \"fr\"]\nlanguage = \"en\"\n",
    );
    let l = line_of(&cfg, "languages = ");
    let d = line_of(&cfg, "language = \"en\"");
    expect(&cfg, None, &[
        format!("kiosk.toml:{l}: terminal.languages: \"fr\" is not a language of the terminal (zh-CN, zh-TW, en)"),
        format!("kiosk.toml:{d}: terminal.language: \"en\" is not among terminal.languages"),
    ]);
}
