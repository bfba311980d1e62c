/// Every case of the conformance run, in the order of the report. The groups live in the
/// `Cases+…` files.
enum CaseCatalogue {
    static var all: [ConformanceCase] {
        exportCases + readBasicCases + readWriteCases + hsmCases + pinCases + bufferCases + timingCases
            + robustnessCases + certificateCases + issuanceCases
    }
}
