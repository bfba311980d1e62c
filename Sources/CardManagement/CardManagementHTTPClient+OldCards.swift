import Foundation

/// 补卡/换卡 over HTTP (docs/province-api.md §3.9; 《广东省社会保障卡经办规程》第二十三条至第三十一条).
extension CardManagementHTTPClient {
    public func oldCard(applicationID: String) throws(CardManagementError) -> OldCard {
        try call("GET", "/v1/applications/\(ProvinceAPI.pathSegment(applicationID))/old-card", applicationID: applicationID,
                 as: OldCard.self)
    }

    @discardableResult
    public func confirmOldCardChip(_ confirmation: OldCardChipConfirmation) throws(CardManagementError) -> OldCard {
        try call("POST", "/v1/old-cards/chip-confirmations", body: confirmation, requestID: confirmation.requestID,
                 applicationID: confirmation.applicationID, as: OldCard.self)
    }

    @discardableResult
    public func cancelOldCard(_ cancellation: OldCardCancellation) throws(CardManagementError) -> OldCard {
        try call("POST", "/v1/old-cards/cancellations", body: cancellation, requestID: cancellation.requestID,
                 applicationID: cancellation.applicationID, as: OldCard.self)
    }
}
