//! The USB bulk transport, as far as a machine without a reader can take it: a
//! device that is not there is a clear error, and the reader handle built on it
//! reports `Offline` with that message and keeps trying. (The bulk transfers
//! themselves need the hardware; they carry the same frames as the serial link.)

use std::sync::mpsc;
use std::time::Duration;

use kiosk_device::DeviceStatus;
use kiosk_idcard::transport::{Transport, UsbAddress, UsbBulk};
use kiosk_idcard::{IdCardReader, ReaderConfig, ReaderEvent};

const ABSENT: UsbAddress = UsbAddress {
    vid: 0xfffe,
    pid: 0xfffd,
    interface: 0,
    ep_out: 0x02,
    ep_in: 0x81,
};

#[test]
fn an_absent_usb_reader_is_a_clear_error() {
    match UsbBulk::open(ABSENT) {
        Ok(_) => panic!("no such device here"),
        Err(e) => {
            let m = e.to_string();
            // Either libusb sees the bus and not the device, or there is no USB at all.
            assert!(
                m.contains("no USB device fffe:fffd") || m.starts_with("USB: "),
                "{m}"
            );
        }
    }
}

#[test]
fn the_reader_handle_on_usb_reports_offline_and_retries() {
    let (tx, rx) = mpsc::channel();
    let tries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = tries.clone();
    let r = IdCardReader::with_connector(
        ReaderConfig::serial("usb:fffe:fffd"),
        Box::new(move || {
            t.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            UsbBulk::open(ABSENT).map(|u| Box::new(u) as Box<dyn Transport>)
        }),
        move |e| {
            let _ = tx.send(e);
        },
    );
    r.start();
    match rx.recv_timeout(Duration::from_secs(5)).unwrap() {
        ReaderEvent::Status(DeviceStatus::Offline(m)) => {
            assert!(m.contains("usb:fffe:fffd"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    std::thread::sleep(Duration::from_millis(1300));
    assert!(
        tries.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "it keeps trying to reconnect"
    );
    assert!(matches!(r.status(), DeviceStatus::Offline(_)));
}
