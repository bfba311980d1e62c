// sscard-bench: figures for the hot paths, printed (or written as JSON), never asserted.
//
//   swift build -c release --product sscard-bench
//   bash scripts/isolated.sh .build/release/sscard-bench apdu [--count N] [--use-running-pcscd] [--json]
//   … interface | render | iprint | station | wire | bridge | import   (sscard-bench help <benchmark> for each)
import ArgumentParser
import StationOperations

// The station's per-card info lines would be measured with the figures: warnings and errors only,
// masked, on stderr (SSCARD_LOG_LEVEL still chooses).
StationLogging.bootstrap(level: ((try? StationLogging.requested(option: nil)) ?? nil) ?? .warning)
SSCardBench.main()
