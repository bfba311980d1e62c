/// How failures of the layers below become the national interface's codes, so that every
/// function reports them the same way and the raw cause stays in `underlying`.
extension InterfaceError {
    /// The interface error for any failure of a card or reader operation.
    public init(from error: any Error) {
        switch error {
        case let e as InterfaceError:
            self = e
        case let e as CardError:
            if let sw = e.statusWord {
                self.init(statusWord: sw, underlying: e)
            } else {
                self.init(.illegalData, detail: "\(e)", underlying: e)
            }
        case let e as PCSCError:
            switch e {
            case .noSmartcard, .removedCard, .notTransacted:
                self.init(.noCard, underlying: e)
            case .noService, .serviceStopped:
                self.init(.readerConnectError, detail: "PC/SC 服务 (pcscd) 未运行", englishDetail: "the PC/SC service (pcscd) is not running", underlying: e)
            case .unknownReader, .noReadersAvailable, .readerUnavailable:
                self.init(.readerConnectError, detail: "读卡器不存在或已拔出", englishDetail: "the reader is absent or unplugged", underlying: e)
            case .unresponsiveCard, .unpoweredCard:
                self.init(.cardNotPowered, underlying: e)
            case .sharingViolation:
                self.init(.readerConnectError, detail: "读卡器被其他程序独占", englishDetail: "another program holds the reader exclusively", underlying: e)
            default:
                self.init(.readerConnectError, detail: e.pcscText, englishDetail: e.pcscText, underlying: e)
            }
        case let e as CardSessionError:
            switch e {
            case .readerNotFound:
                self.init(.readerConnectError, detail: "\(e)", englishDetail: "\(e)", underlying: e)
            case .cardStateLost:
                self.init(.notConnected, detail: "卡片被复位，请重试", englishDetail: "the card was reset; try again", underlying: e)
            }
        case let e as CardConnectionError:
            self.init(.noAnswer, detail: "\(e)", englishDetail: "\(e)", underlying: e)
        case let e as CardChannelError:
            self.init(.noAnswer, detail: "\(e)", englishDetail: "\(e)", underlying: e)
        default:
            self.init(.illegalData, detail: "\(error)", englishDetail: "\(error)", underlying: error)
        }
    }
}
