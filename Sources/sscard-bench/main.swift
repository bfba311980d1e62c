// sscard-bench: figures for the hot paths, printed, never asserted.
//
//   swift run -c release sscard-bench apdu [--count N] [--use-running-pcscd]
//   swift run -c release sscard-bench interface [--count N] [--use-running-pcscd]
//   swift run -c release sscard-bench render [--count N]
//   swift run -c release sscard-bench iprint [--count N]
//   swift run -c release sscard-bench station [--count N] [--use-running-pcscd]
import Foundation
import SSCardDriver
import SSCardSimulator

let arguments = Array(CommandLine.arguments.dropFirst())
guard let benchmark = arguments.first else {
    print("usage: sscard-bench apdu|interface|render|iprint|station [--count N] [--use-running-pcscd]")
    exit(2)
}
let count = arguments.firstIndex(of: "--count").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1000
let useRunning = arguments.contains("--use-running-pcscd")

do {
    switch benchmark {
    case "apdu":
        try APDUBenchmark(count: count, useRunningPCSCD: useRunning).run()
    case "interface":
        try InterfaceBenchmark(count: count, useRunningPCSCD: useRunning).run()
    case "render":
        try RenderBenchmark(count: count).run()
    case "iprint":
        try IPrintBenchmark(count: count).run()
    case "bridge":
        try BridgeBenchmark(count: count, useRunningPCSCD: useRunning).run()
    case "station":
        try StationBenchmark(count: count, useRunningPCSCD: useRunning).run()
    default:
        print("unknown benchmark \(benchmark); known: apdu, interface, render, iprint, station")
        exit(2)
    }
} catch {
    print("sscard-bench: \(error)")
    exit(1)
}
