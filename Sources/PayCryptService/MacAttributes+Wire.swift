import PayCryptModel
import PaymentCryptography

// The one translation between AWS's wire shapes (generated from the model) and the algorithm
// layer's MAC vocabulary. The server and the command line both go through it.

/// A wire enum value the algorithm layer does not know (only possible if the model gains a
/// value before paycrypt supports it).
public struct UnsupportedWireValue: Error, Sendable {
    /// The field path.
    public let field: String
    /// The value (an enum name, never secret).
    public let value: String
}

func mapEnum<T: RawRepresentable>(_ raw: String, _ field: String) throws(UnsupportedWireValue) -> T where T.RawValue == String {
    guard let v = T(rawValue: raw) else { throw UnsupportedWireValue(field: field, value: raw) }
    return v
}

extension MacAttributes {
    /// Translates the wire union `MacAttributes` (already validated against the model).
    /// - Parameter root: the member name used in error paths (`GenerationAttributes` or `VerificationAttributes`).
    public init(wire: DataPlane.MacAttributes, root: String) throws(UnsupportedWireValue) {
        switch wire {
        case .algorithm(let a):
            self = .algorithm(try mapEnum(a.rawValue, "\(root).Algorithm"))
        case .dukptIso9797Algorithm1(let d):
            self = .dukptIso9797Algorithm1(try DukptMacAttributes(wire: d, path: "\(root).DukptIso9797Algorithm1"))
        case .dukptIso9797Algorithm3(let d):
            self = .dukptIso9797Algorithm3(try DukptMacAttributes(wire: d, path: "\(root).DukptIso9797Algorithm3"))
        case .dukptCmac(let d):
            self = .dukptCmac(try DukptMacAttributes(wire: d, path: "\(root).DukptCmac"))
        case .emvMac(let e):
            self = .emvMac(try EmvMacAttributes(wire: e, path: "\(root).EmvMac"))
        }
    }
}

extension DukptMacAttributes {
    init(wire d: DataPlane.MacAlgorithmDukpt, path: String) throws(UnsupportedWireValue) {
        var type: DukptDerivationType?
        if let t = d.dukptDerivationType { type = try mapEnum(t.rawValue, "\(path).DukptDerivationType") }
        self.init(keySerialNumber: d.keySerialNumber,
                  keyVariant: try mapEnum(d.dukptKeyVariant.rawValue, "\(path).DukptKeyVariant"),
                  derivationType: type)
    }
}

extension EmvMacAttributes {
    init(wire e: DataPlane.MacAlgorithmEmv, path: String) throws(UnsupportedWireValue) {
        let value: PaymentCryptography.SessionKeyDerivationValue = switch e.sessionKeyDerivationValue {
        case .applicationCryptogram(let ac): .applicationCryptogram(ac)
        case .applicationTransactionCounter(let atc): .applicationTransactionCounter(atc)
        }
        self.init(majorKeyDerivationMode: try mapEnum(e.majorKeyDerivationMode.rawValue, "\(path).MajorKeyDerivationMode"),
                  primaryAccountNumber: e.primaryAccountNumber,
                  panSequenceNumber: e.panSequenceNumber,
                  sessionKeyDerivationMode: try mapEnum(e.sessionKeyDerivationMode.rawValue, "\(path).SessionKeyDerivationMode"),
                  sessionKeyDerivationValue: value)
    }
}
