import SSCardDriver

/// The card maker's pre-made return file (`YZKCG_…txt`, 《广东省社会保障卡经办规程》附件9 一（四）)
/// for a batch of simulated blank cards, so a demo or a test stocks the station's books with
/// exactly the cards a virtual printer holds. UTF-8, `\n` line ends.
public enum SimulatedReturnFile {
    /// The file's name and text for `cards` of `bank`, in order, as batch `batch`.
    public static func make(cards: [CardImage], bank: String, batch: String = "SIM001",
                            time: String = "20260101090000") -> (fileName: String, text: String) {
        let name = "YZKCG_\(bank)_模拟市社保卡管理中心_\(batch)_\(cards.count)_模拟卡商_102100000000_\(time).txt"
        var lines = [String(cards.count),
                     "序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置"]
        for (index, card) in cards.enumerated() {
            let digits = String(card.label.bankCardNumber.suffix(6))
            lines.append([
                String(index + 1), card.cardNumber, "", "", "20211203", "20311202", card.cardIdentificationCode.hex,
                card.atr.hexString, "9" + digits, card.label.bankCardNumber, "1" + digits, "箱1-\(index + 1)",
            ].joined(separator: ","))
        }
        return (name, lines.joined(separator: "\n") + "\n")
    }
}
