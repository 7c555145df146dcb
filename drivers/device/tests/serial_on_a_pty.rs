//! The serial transport on a real pseudo-terminal, as the simulators use it.

use std::io::Read;
use std::time::{Duration, Instant};

use kiosk_device::transport::{open_pty, Serial, Transport};

#[test]
fn a_second_open_of_the_same_port_is_refused_as_in_use() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("ttyREADER");
    let _pty = open_pty(&link, 115200).unwrap();
    let first = Serial::open(&link, 115200).unwrap();
    let second = Serial::open(&link, 115200).err().expect("exclusive");
    assert_eq!(second.kind(), std::io::ErrorKind::ResourceBusy, "{second}");
    assert!(
        second.to_string().contains("in use by another program"),
        "{second}"
    );
    drop(first);
    // Free again once the first holder closes it.
    Serial::open(&link, 115200).unwrap();
}

#[test]
fn any_baud_rate_opens_and_moves_bytes() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("ttyODD");
    let mut pty = open_pty(&link, 115200).unwrap();
    for baud in [1200, 250_000, 921_600] {
        let mut s = Serial::open(&link, baud).unwrap_or_else(|e| panic!("{baud}: {e}"));
        s.send(b"\xAA\xAA\xAA\x96\x69").unwrap();
        let mut got = [0u8; 5];
        let end = Instant::now() + Duration::from_secs(2);
        let mut n = 0;
        while n < 5 && Instant::now() < end {
            match pty.master.read(&mut got[n..]) {
                Ok(k) => n += k,
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        assert_eq!(&got, b"\xAA\xAA\xAA\x96\x69", "{baud}");
    }
    assert!(Serial::open(&link, 0).is_err());
    assert!(Serial::open(&link, 10_000_000).is_err());
}

#[test]
fn a_write_nobody_takes_times_out_instead_of_hanging() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("ttySTUCK");
    // The master end never reads: the pty's buffer fills and stays full.
    let _pty = open_pty(&link, 115200).unwrap();
    let mut s = Serial::open(&link, 115200).unwrap();
    let t = Instant::now();
    let e = s.send(&vec![0x55; 4 << 20]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
    let took = t.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_read_with_nothing_to_read_returns_at_its_deadline() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("ttyQUIET");
    let _pty = open_pty(&link, 115200).unwrap();
    let mut s = Serial::open(&link, 115200).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(s.recv(&mut buf, t + Duration::from_millis(150)).unwrap(), 0);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(140) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[test]
fn a_missing_port_is_not_found_with_its_path() {
    let e = Serial::open(std::path::Path::new("/dev/ttyKIOSK-absent"), 115200)
        .err()
        .unwrap();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains("/dev/ttyKIOSK-absent"), "{e}");
}
