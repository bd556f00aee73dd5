import Foundation
import Testing

import PayCryptModel

/// Parses a JSON literal written in a test.
func json(_ text: String) throws -> JSONValue {
    try JSONValue(parsing: Data(text.utf8))
}

/// The violations of a JSON literal against a data plane shape.
func dataPlaneViolations(_ text: String, shape: String) throws -> [FieldViolation] {
    Validator(service: DataPlane.service).validate(try json(text), shape: shape)
}

/// The violations of a JSON literal against a control plane shape.
func controlPlaneViolations(_ text: String, shape: String) throws -> [FieldViolation] {
    Validator(service: ControlPlane.service).validate(try json(text), shape: shape)
}

/// A GenerateMacInput body with the given GenerationAttributes and extra top-level members.
func generateMac(attributes: String, extra: String = "") -> String {
    """
    {"KeyIdentifier": "alias/mac-key", "MessageData": "3132333435363738", \
    "GenerationAttributes": \(attributes)\(extra)}
    """
}

let validKSN = "FFFF9876543210E00001"
let dukptAttributes = #"{"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "BIDIRECTIONAL"}"#

extension ViolationRule {
    /// Whether the rule is a pattern rule, whatever the pattern.
    var isPattern: Bool {
        if case .pattern = self { return true }
        return false
    }
}

let dukptRequest = DataPlane.MacAlgorithmDukpt(keySerialNumber: validKSN, dukptKeyVariant: .request)

/// A fresh random seed for a differential test, or the one the environment variable `name` gives
/// (to repeat a run whose printed seed failed).
func testSeed(environment name: String) -> UInt64 {
    if let text = ProcessInfo.processInfo.environment[name], let seed = UInt64(text) { return seed }
    return UInt64.random(in: 0...UInt64.max)
}

extension Equatable {
    /// Whether `other` is a value of the same type equal to this one (the generated shapes are
    /// `Equatable`, `WireShape` is not).
    func isEqual(to other: Any) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}
