import Foundation

/// The python3 the render benchmark uses for Pillow: `scripts/pillow-python.sh`, which picks
/// `python3` on PATH when it can import Pillow, else Debian's `/usr/bin/python3` (with
/// python3-pil from scripts/install-deps.sh).
enum PillowPython {
    /// The command that runs that python3 with the arguments appended.
    static let command = ["/bin/bash", CProgramHarness.packageRoot.appendingPathComponent("scripts/pillow-python.sh").path]

    /// Whether that python3 can import Pillow.
    static let isAvailable: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: command[0])
        probe.arguments = Array(command.dropFirst()) + ["-c", "import PIL.ImageFont"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()
}
