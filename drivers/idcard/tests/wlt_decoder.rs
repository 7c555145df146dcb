//! The run-time loading of a WLT decoder library, against a stand-in library
//! built here with the C compiler that links Rust programs (`cc`). The stand-in
//! has the vendor interface, `int unpack(char *wlt, char *bmp, int save)`, and
//! writes a 102×126 BMP whose pixels come from the WLT bytes; it is not a WLT
//! decoder (none is bundled or public).

use std::path::Path;
use std::process::Command;

use kiosk_idcard::wlt::{WltDecoder, WltError, BMP_LEN};

const STAND_IN: &str = r#"
#include <string.h>
int unpack(char *wlt, char *bmp, int save) {
    if (save != 0) return -2;
    if ((unsigned char)wlt[0] == 0xEE) return -1; /* "not a photo" */
    unsigned char h[54] = {'B','M'};
    unsigned int size = 54 + 308 * 126;
    memcpy(h + 2, &size, 4);
    h[10] = 54; h[14] = 40; h[18] = 102; h[22] = 126; h[26] = 1; h[28] = 24;
    memcpy(bmp, h, 54);
    for (int i = 0; i < 308 * 126; i++) bmp[54 + i] = wlt[i % 1024];
    return 1;
}
"#;

fn build(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("standin.c");
    let lib = dir.join("libstandinwlt.so");
    std::fs::write(&src, STAND_IN).unwrap();
    let st = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .expect("cc runs");
    assert!(st.success());
    lib
}

#[test]
fn a_library_with_the_vendor_interface_is_loaded_and_called() {
    let dir = tempfile::tempdir().unwrap();
    let lib = build(dir.path());
    let dec = WltDecoder::load(&lib).unwrap();
    let wlt: Vec<u8> = (0..1024).map(|i| (i % 200) as u8).collect();
    let bmp = dec.decode(&wlt).unwrap();
    assert_eq!(bmp.len(), BMP_LEN);
    assert_eq!(&bmp[..2], b"BM");
    assert_eq!(u32::from_le_bytes(bmp[18..22].try_into().unwrap()), 102);
    assert_eq!(u32::from_le_bytes(bmp[22..26].try_into().unwrap()), 126);
    assert_eq!(bmp[54 + 5], 5);

    let mut refused = wlt.clone();
    refused[0] = 0xEE;
    assert!(matches!(dec.decode(&refused), Err(WltError::Refused(-1))));
    assert!(matches!(dec.decode(&wlt[..100]), Err(WltError::Size(100))));
}
