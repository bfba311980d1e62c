/// What an APDU sequence costs on a real contact reader, from the sizes `APDUCounter` saw.
///
/// Assumptions (ISO/IEC 7816-3), chosen to match the simulated card's ATR `3B 8D 01 …`:
/// - T=1, the card's protocol; its ATR has no TA3, so IFSC is the default 32 bytes: a command
///   longer than 32 bytes goes as chained I-blocks, each acknowledged by an R-block. The reader
///   asks IFSD = 254 (what CCID readers do), so answers of up to 254 bytes come in one block.
/// - Every block has a 3-byte prologue (NAD PCB LEN) and a 1-byte LRC epilogue.
/// - A byte costs 12 etu on the line: a 10-etu character plus the 2-etu guard time (the
///   minimum for T=0; T=1's default CGT is 11 etu, so this errs slightly long).
/// - 1 etu = 1 / bit rate: 9,600 bit/s is the default Fi/Di = 372/1 at 3.57 MHz before any PPS;
///   115,200 bit/s is what readers commonly negotiate after PPS.
/// - Turnaround: every block exchange costs a fixed `turnaround` on top of its bytes — the
///   reader's USB CCID round trip (~1 ms) and the card OS answering a simple command (~2 ms).
///   The card's own crypto time (SM2 key generation, SM4 MACs) is not in it: it is the same
///   for any sequence doing the same work.
struct WireModel: Sendable {
    var etuPerByte = 12
    var blockOverhead = 4
    var ifsc = 32
    var ifsd = 254
    var turnaroundMilliseconds = 3.0

    /// Bytes and block exchanges of a sequence.
    struct Traffic: Sendable, Equatable {
        var apdus = 0
        /// APDU bytes: command (header, Lc, data, Le) reader → card, response (data, SW) back.
        var commandBytes = 0
        var responseBytes = 0
        /// Bytes on the line with the T=1 framing, each way.
        var lineBytesOut = 0
        var lineBytesIn = 0
        /// Block exchanges (one turnaround each).
        var blockExchanges = 0
    }

    func traffic(_ exchanges: [APDUCounter.Exchange]) -> Traffic {
        var t = Traffic()
        for e in exchanges {
            t.apdus += 1
            t.commandBytes += e.commandBytes
            t.responseBytes += e.responseBytes
            // Command: ceil(n / IFSC) I-blocks; each but the last answered by an R-block.
            let outBlocks = max(1, (e.commandBytes + ifsc - 1) / ifsc)
            // Answer: ceil(m / IFSD) I-blocks; each but the last acknowledged by the reader.
            let inBlocks = max(1, (e.responseBytes + ifsd - 1) / ifsd)
            t.lineBytesOut += e.commandBytes + outBlocks * blockOverhead + (inBlocks - 1) * blockOverhead
            t.lineBytesIn += e.responseBytes + inBlocks * blockOverhead + (outBlocks - 1) * blockOverhead
            t.blockExchanges += outBlocks + inBlocks - 1
        }
        return t
    }

    /// Seconds on the line at `bitRate` for all bytes of `traffic`, both ways (half duplex).
    func lineSeconds(_ traffic: Traffic, bitRate: Double) -> Double {
        Double((traffic.lineBytesOut + traffic.lineBytesIn) * etuPerByte) / bitRate
    }

    /// Seconds of turnaround.
    func turnaroundSeconds(_ traffic: Traffic) -> Double {
        Double(traffic.blockExchanges) * turnaroundMilliseconds / 1000
    }
}
