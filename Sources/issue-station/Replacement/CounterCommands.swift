import ArgumentParser

extension IssueStation {
    /// The counter's processes beyond one issuance (《广东省社会保障卡经办规程》): 补卡/换卡, 一人一卡, 逾期未领卡, 批量申请.
    static let counterProcessCommands: [any ParsableCommand.Type] = [OldCardCommand.self, OneCardCommand.self, UncollectedCommand.self, BatchCommand.self]
}
