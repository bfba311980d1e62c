import SSCardDriver

extension HSMMasterKeys {
    /// SIMULATOR TEST KEYS — public, fixed, and worthless for anything real. Each is its
    /// 16-character ASCII name, so a trace or image that uses them is recognisable:
    /// IRK "SIMTESTKEY-IRK01", read key "SIMTESTKEY-RK-0A", write key "SIMTESTKEY-UK-04",
    /// PUK "SIMTESTKEY-PUK01", PKI master key "SIMTESTKEY-PKIMK".
    public static let simulatorTestKeys = HSMMasterKeys([
        .internalAuthentication: Array("SIMTESTKEY-IRK01".utf8),
        .readKey: Array("SIMTESTKEY-RK-0A".utf8),
        .writeKey: Array("SIMTESTKEY-UK-04".utf8),
        .pinUnblock: Array("SIMTESTKEY-PUK01".utf8),
        .pkiMaster: Array("SIMTESTKEY-PKIMK".utf8),
    ])
}
