#!/usr/bin/env python3
"""Measures the kiosk's start-to-first-frame from outside, and its resident memory.

Starts a private Xvfb screen, then for each run starts the kiosk (demo config,
fresh data folder) and polls one screen pixel through libX11 (XGetImage, well
under a millisecond per poll) until the home screen's header colour #0b4fa3 is
painted there. The time from spawning the process to that moment is the
start-to-first-frame figure; VmRSS is read 1 s later.

    scripts/first-frame.py [BINARY] [RUNS]
"""
import ctypes, ctypes.util, os, shutil, subprocess, sys, tempfile, time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/kiosk"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

n = next(n for n in range(160, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1080x1920x24", "-nolisten", "tcp"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.7)
os.environ["DISPLAY"] = f":{n}"

x = ctypes.CDLL(ctypes.util.find_library("X11"))
x.XOpenDisplay.restype = ctypes.c_void_p
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XGetImage.restype = ctypes.c_void_p
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                        ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x.XGetPixel.restype = ctypes.c_ulong
x.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
x.XDestroyImage.argtypes = [ctypes.c_void_p]
dpy = x.XOpenDisplay(None)
root = x.XDefaultRootWindow(dpy)

def pixel():
    img = x.XGetImage(dpy, root, 10, 10, 1, 1, 0xFFFFFFFF, 2)  # ZPixmap
    v = x.XGetPixel(img, 0, 0) & 0xFFFFFF
    x.XDestroyImage(img)
    return v

t = time.perf_counter()
for _ in range(100):
    pixel()
print(f"one poll takes {(time.perf_counter() - t) * 10:.2f} ms (the resolution)")

try:
    for r in range(1, runs + 1):
        data = tempfile.mkdtemp()
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "--data", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while pixel() != 0x0B4FA3:
            if time.perf_counter() - t0 > 20:
                sys.exit("no frame in 20 s")
        ms = (time.perf_counter() - t0) * 1000
        time.sleep(1)
        rss = next(l.split()[1] for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS"))
        print(f"run {r}: first frame after {ms:.0f} ms; resident memory {rss} kB (1 s after the frame)")
        p.terminate(); p.wait()
        shutil.rmtree(data)
        # Back to black before the next run.
        while pixel() == 0x0B4FA3:
            time.sleep(0.01)
finally:
    xvfb.terminate()
