//! Byte transports under the drivers: a serial port (the `serialport` crate,
//! raw 8N1, exclusive), USB bulk endpoints (`rusb`) and, behind the same trait,
//! anything else that moves bytes with a read deadline. Shared by the ID-card
//! reader and the receipt printer. The simulators' end of a serial link is a
//! pseudo-terminal ([`open_pty`]), so tests run this very code.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{self, BaudRate, SetArg};

/// What a driver needs from a link to its device.
pub trait Transport: Send {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what is available, waiting until `deadline` for the first byte.
    /// `Ok(0)` means the deadline passed with nothing read.
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize>;
    /// Throws away whatever the device has sent and nobody read.
    fn discard_input(&mut self) -> io::Result<()>;
    /// Where this transport goes, for messages.
    fn describe(&self) -> String;
}

/// Baud rates the terminal's serial devices usually run at. Any other positive
/// rate up to [`MAX_BAUD`] opens too (Linux sets it with `termios2`/`BOTHER`).
pub const BAUDS: [u32; 5] = [9600, 19200, 38400, 57600, 115200];

/// The highest rate a serial port is opened at (USB-serial bridges reach 4 Mbaud).
pub const MAX_BAUD: u32 = 4_000_000;

/// Whether `baud` is a rate [`Serial::open`] accepts.
pub fn baud_ok(baud: u32) -> bool {
    (50..=MAX_BAUD).contains(&baud)
}

/// How long one write may wait for the port to take bytes (a stalled
/// USB-serial bridge, flow control held off) before it fails.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// A serial port in raw 8N1 mode through the `serialport` crate, opened
/// exclusively: `TIOCEXCL` (other programs get `EBUSY`) and an advisory
/// `flock` (which also holds against root and against a second open in this
/// process), so two programs never silently share one reader.
pub struct Serial {
    port: serialport::TTYPort,
    path: PathBuf,
}

fn serial_err(path: &Path, e: serialport::Error) -> io::Error {
    let kind = match e.kind {
        serialport::ErrorKind::NoDevice => io::ErrorKind::NotFound,
        serialport::ErrorKind::InvalidInput => io::ErrorKind::InvalidInput,
        serialport::ErrorKind::Io(k) => k,
        serialport::ErrorKind::Unknown => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("{}: {}", path.display(), e.description))
}

impl Serial {
    pub fn open(path: &Path, baud: u32) -> io::Result<Serial> {
        use std::os::fd::AsRawFd;
        if !baud_ok(baud) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("baud rate {baud} is outside 50..={MAX_BAUD}"),
            ));
        }
        if !path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: no such serial port", path.display()),
            ));
        }
        let port = serialport::new(path.to_string_lossy(), baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(WRITE_TIMEOUT)
            .open_native()
            .map_err(|e| {
                // serialport reports its lost `flock` race as "no device".
                if e.description.contains("exclusive lock") {
                    io::Error::new(
                        io::ErrorKind::ResourceBusy,
                        format!("{} is in use by another program", path.display()),
                    )
                } else {
                    serial_err(path, e)
                }
            })?;
        // Non-blocking, so a write takes what the port has room for and the
        // poll inside the next write waits (bounded) for the rest.
        // SAFETY: fcntl on a descriptor this value owns.
        unsafe {
            let fd = port.as_raw_fd();
            let fl = libc::fcntl(fd, libc::F_GETFL);
            if fl < 0 || libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(Serial {
            port,
            path: path.to_path_buf(),
        })
    }
}

/// Raw mode, 8 data bits, no parity, 1 stop bit, no flow control, at `rate`
/// (for the simulator's pty ends, which are not opened through `serialport`).
pub fn configure(fd: &impl AsFd, rate: BaudRate) -> io::Result<()> {
    let mut t = termios::tcgetattr(fd)?;
    termios::cfmakeraw(&mut t);
    termios::cfsetspeed(&mut t, rate)?;
    t.control_flags &= !(termios::ControlFlags::PARENB
        | termios::ControlFlags::CSTOPB
        | termios::ControlFlags::CSIZE
        | termios::ControlFlags::CRTSCTS);
    t.control_flags |=
        termios::ControlFlags::CS8 | termios::ControlFlags::CLOCAL | termios::ControlFlags::CREAD;
    t.input_flags &= !(termios::InputFlags::IXON | termios::InputFlags::IXOFF);
    termios::tcsetattr(fd, SetArg::TCSANOW, &t)?;
    Ok(())
}

/// Waits until `fd` is readable or `deadline` passes. `Ok(false)` on timeout.
pub fn wait_readable(fd: &impl AsFd, deadline: Instant) -> io::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = left.as_millis().min(i32::MAX as u128) as i32;
        let ms = if left > Duration::ZERO && ms == 0 {
            1
        } else {
            ms
        };
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => return Ok(false),
            Ok(_) => {
                let re = fds[0].revents().unwrap_or(PollFlags::empty());
                if re.intersects(PollFlags::POLLIN) {
                    return Ok(true);
                }
                if re.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the device hung up",
                    ));
                }
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

impl Transport for Serial {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        use serialport::SerialPort;
        self.port
            .set_timeout(WRITE_TIMEOUT)
            .map_err(|e| serial_err(&self.path, e))?;
        // Each write first waits (poll) until the port has room; a port that
        // takes nothing for WRITE_TIMEOUT fails the send with TimedOut.
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.port.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        use serialport::SerialPort;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            self.port
                .set_timeout(left)
                .map_err(|e| serial_err(&self.path, e))?;
            match self.port.read(buf) {
                // A tty that reads 0 bytes after poll said readable has gone away.
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the device hung up",
                    ))
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return Ok(0),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if left.is_zero() {
                        return Ok(0);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        use serialport::SerialPort;
        self.port
            .clear(serialport::ClearBuffer::Input)
            .map_err(|e| serial_err(&self.path, e))
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// Where a USB device is: vendor and product id, the interface and its two bulk
/// endpoints (from the terminal's configuration; vendors differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbAddress {
    pub vid: u16,
    pub pid: u16,
    pub interface: u8,
    pub ep_out: u8,
    pub ep_in: u8,
}

/// A device on USB bulk endpoints (the reader's GA 467 frames, the printer's ESC/POS).
pub struct UsbBulk {
    handle: rusb::DeviceHandle<rusb::Context>,
    addr: UsbAddress,
}

fn usb_err(e: rusb::Error) -> io::Error {
    let kind = match e {
        rusb::Error::NoDevice | rusb::Error::NotFound => io::ErrorKind::NotFound,
        rusb::Error::Timeout => io::ErrorKind::TimedOut,
        rusb::Error::Access => io::ErrorKind::PermissionDenied,
        rusb::Error::Pipe | rusb::Error::Io => io::ErrorKind::BrokenPipe,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("USB: {e}"))
}

impl UsbBulk {
    /// Opens the first device with `addr.vid:addr.pid` and claims its interface
    /// (detaching a kernel driver if one holds it).
    pub fn open(addr: UsbAddress) -> io::Result<UsbBulk> {
        use rusb::UsbContext;
        let ctx = rusb::Context::new().map_err(usb_err)?;
        let handle = ctx
            .open_device_with_vid_pid(addr.vid, addr.pid)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no USB device {:04x}:{:04x}", addr.vid, addr.pid),
                )
            })?;
        let _ = handle.set_auto_detach_kernel_driver(true);
        handle.claim_interface(addr.interface).map_err(usb_err)?;
        Ok(UsbBulk { handle, addr })
    }
}

impl Transport for UsbBulk {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = self
                .handle
                .write_bulk(self.addr.ep_out, rest, Duration::from_secs(2))
                .map_err(usb_err)?;
            rest = &rest[n..];
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(0);
        }
        match self.handle.read_bulk(self.addr.ep_in, buf, left) {
            Ok(n) => Ok(n),
            Err(rusb::Error::Timeout) => Ok(0),
            Err(e) => Err(usb_err(e)),
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        let mut scratch = [0u8; 512];
        loop {
            match self
                .handle
                .read_bulk(self.addr.ep_in, &mut scratch, Duration::from_millis(5))
            {
                Ok(0) | Err(rusb::Error::Timeout) => return Ok(()),
                Ok(_) => continue,
                Err(e) => return Err(usb_err(e)),
            }
        }
    }

    fn describe(&self) -> String {
        format!("usb {:04x}:{:04x}", self.addr.vid, self.addr.pid)
    }
}

impl Drop for UsbBulk {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.addr.interface);
    }
}

/// The simulator's end of a pseudo-terminal; the driver opens the other end
/// through a stable symlink exactly as it would open `/dev/ttyUSB0`.
pub struct Pty {
    pub master: File,
    /// Held open so the master never sees a hang-up while the driver reconnects.
    _slave: std::os::fd::OwnedFd,
}

/// A raw pty at `baud` with a symlink to its slave at `link`; the master is non-blocking.
pub fn open_pty(link: &Path, baud: u32) -> io::Result<Pty> {
    let pty = nix::pty::openpty(None, None)?;
    let rate = match baud {
        9600 => nix::sys::termios::BaudRate::B9600,
        19200 => nix::sys::termios::BaudRate::B19200,
        38400 => nix::sys::termios::BaudRate::B38400,
        57600 => nix::sys::termios::BaudRate::B57600,
        _ => nix::sys::termios::BaudRate::B115200,
    };
    // Raw on both ends: no echo, no line editing, no CR/LF translation.
    configure(&pty.slave, rate)?;
    configure(&pty.master, rate)?;
    let name = nix::unistd::ttyname(&pty.slave)?;
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&name, link)?;
    let master = File::from(pty.master);
    nix::fcntl::fcntl(
        &master,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )?;
    Ok(Pty {
        master,
        _slave: pty.slave,
    })
}
