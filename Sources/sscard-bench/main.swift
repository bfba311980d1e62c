// sscard-bench: figures for the hot paths, printed, never asserted.
//
//   swift run -c release sscard-bench apdu [--count N] [--use-running-pcscd]
//   swift run -c release sscard-bench interface [--count N] [--use-running-pcscd]
import Foundation
import SSCardDriver
import SSCardSimulator

let arguments = Array(CommandLine.arguments.dropFirst())
guard let benchmark = arguments.first else {
    print("usage: sscard-bench apdu|interface [--count N] [--use-running-pcscd]")
    exit(2)
}
let count = arguments.firstIndex(of: "--count").flatMap { Int(arguments[$0 + 1]) } ?? 1000
let useRunning = arguments.contains("--use-running-pcscd")

do {
    switch benchmark {
    case "apdu":
        try APDUBenchmark(count: count, useRunningPCSCD: useRunning).run()
    case "interface":
        try InterfaceBenchmark(count: count, useRunningPCSCD: useRunning).run()
    case "render": try RenderBenchmark(count: count).run()
    default:
        print("unknown benchmark \(benchmark); known: apdu, interface")
        exit(2)
    }
} catch {
    print("sscard-bench: \(error)")
    exit(1)
}
