import Foundation

/// The python3 the render benchmark uses for Pillow (`PillowServer.python()` in sscard-bench):
/// `python3` on PATH when it can import Pillow, else Debian's `/usr/bin/python3` (with
/// python3-pil from scripts/install-deps.sh) when that can; nil when neither can.
enum PillowPython {
    static let command: [String]? = {
        for command in [["/usr/bin/env", "python3"], ["/usr/bin/python3"]] {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: command[0])
            probe.arguments = Array(command.dropFirst()) + ["-c", "import PIL.ImageFont"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return command }
        }
        return nil
    }()
}
