// sscard-bench: figures for the hot paths, printed (or written as JSON), never asserted.
//
//   swift build -c release --product sscard-bench
//   bash scripts/isolated.sh .build/release/sscard-bench apdu [--count N] [--use-running-pcscd] [--json]
//   … interface | render | iprint | station | wire | bridge | import   (sscard-bench help <benchmark> for each)
import ArgumentParser

SSCardBench.main()
