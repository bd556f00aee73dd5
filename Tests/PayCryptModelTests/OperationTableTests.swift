import Testing

import PayCryptModel

@Suite("Operation tables")
struct OperationTableTests {
    @Test("GenerateMac is POST /mac/generate")
    func generateMac() throws {
        let operation = try #require(DataPlane.service.operation(named: "GenerateMac"))
        #expect(operation.method == "POST")
        #expect(operation.requestURI == "/mac/generate")
        #expect(operation.responseCode == 200)
        #expect(operation.input == "GenerateMacInput")
        #expect(operation.output == "GenerateMacOutput")
        #expect(operation.errors.contains("ValidationException"))
        #expect(!operation.errors.contains("VerificationFailedException"))
        #expect(operation.bindings.isEmpty)
        #expect(operation.target == nil)
        #expect(DataPlane.Operation.generateMac.schema == operation)
        #expect(try #require(DataPlane.service.operation(named: "VerifyMac")).errors.contains("VerificationFailedException"))
    }

    @Test("URI-bound members carry their location")
    func uriBindings() throws {
        let encrypt = try #require(DataPlane.service.operation(named: "EncryptData"))
        #expect(encrypt.requestURI == "/keys/{KeyIdentifier}/encrypt")
        #expect(encrypt.bindings == [HTTPBinding(member: "KeyIdentifier", location: .uri, locationName: "KeyIdentifier")])
        let reEncrypt = try #require(DataPlane.service.operation(named: "ReEncryptData"))
        #expect(reEncrypt.bindings == [
            HTTPBinding(member: "IncomingKeyIdentifier", location: .uri, locationName: "IncomingKeyIdentifier")
        ])
        let member = try #require(DataPlane.service.shapes["EncryptDataInput"]?.member(named: "KeyIdentifier"))
        #expect(member.location == .uri)
        #expect(member.required)
    }

    @Test("CreateKey is an awsJson1_0 target")
    func createKey() throws {
        let service = ControlPlane.service
        #expect(service.wireProtocol == .awsJson1_0)
        #expect(service.targetPrefix == "PaymentCryptographyControlPlane")
        let operation = try #require(service.operation(forTarget: "PaymentCryptographyControlPlane.CreateKey"))
        #expect(operation.name == "CreateKey")
        #expect(operation.method == "POST")
        #expect(operation.requestURI == "/")
        #expect(operation.input == "CreateKeyInput")
        #expect(operation.output == "CreateKeyOutput")
        #expect(operation.errors.contains("ServiceQuotaExceededException"))
        #expect(ControlPlane.Operation(rawValue: operation.name) == .createKey)
        #expect(service.operation(forTarget: "CreateKey") == nil)
    }

    @Test("every operation, member and error names a shape of its own service")
    func tablesAreClosed() {
        for service in [DataPlane.service, ControlPlane.service] {
            #expect(!service.operations.isEmpty)
            for operation in service.operations {
                #expect(service.shapes[operation.input] != nil, "\(operation.name) input")
                #expect(service.shapes[operation.output] != nil, "\(operation.name) output")
                for error in operation.errors {
                    #expect(service.errors[error] != nil, "\(operation.name) error \(error)")
                    #expect(service.shapes[error] != nil)
                }
                for binding in operation.bindings {
                    #expect(service.shapes[operation.input]?.member(named: binding.member) != nil)
                    #expect(operation.requestURI.contains("{\(binding.locationName)}") || binding.location != .uri)
                }
                if service.wireProtocol == .awsJson1_0 {
                    #expect(operation.target == "\(service.targetPrefix ?? "").\(operation.name)")
                }
            }
            for shape in service.shapes.values {
                for member in shape.members {
                    #expect(service.shapes[member.target] != nil, "\(shape.name).\(member.name)")
                }
                for target in [shape.listMember, shape.mapKey, shape.mapValue].compactMap({ $0 }) {
                    #expect(service.shapes[target] != nil, "\(shape.name) -> \(target)")
                }
            }
        }
        #expect(DataPlane.Operation.allCases.count == DataPlane.service.operations.count)
        #expect(ControlPlane.Operation.allCases.count == ControlPlane.service.operations.count)
    }

    @Test("routing by method and path", arguments: [
        ("POST", "/mac/generate", "GenerateMac", [String: String]()),
        ("POST", "/mac/verify?x=1", "VerifyMac", [:]),
        ("POST", "/keys/alias%2Fmy-key/encrypt", "EncryptData", ["KeyIdentifier": "alias/my-key"]),
        ("POST", "/keys/alias/my-key/decrypt", "DecryptData", ["KeyIdentifier": "alias/my-key"]),
        ("post", "/keys/arn%3Aaws%3Apayment-cryptography%3Aus-east-2%3A111122223333%3Akey%2Fkwapwa6qaifllw2h/reencrypt",
         "ReEncryptData", ["IncomingKeyIdentifier": "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h"]),
    ])
    func routes(method: String, path: String, name: String, labels: [String: String]) throws {
        let route = try #require(DataPlane.service.route(method: method, path: path))
        #expect(route.operation.name == name)
        #expect(route.uriLabels == labels)
    }

    @Test("paths that name no operation", arguments: [
        ("GET", "/mac/generate"), ("POST", "/mac/unknown"), ("POST", "/keys//encrypt"), ("POST", "/"),
        ("POST", "/mac/generate/extra"),
    ])
    func noRoute(method: String, path: String) {
        #expect(DataPlane.service.route(method: method, path: path) == nil)
    }

    @Test("the control plane routes by target, not by path")
    func controlPlaneHasNoPathRoutes() {
        #expect(ControlPlane.service.route(method: "POST", path: "/") == nil)
    }

    @Test("a URI label replaces any body member of the same name, then validates")
    func decodeInputWithLabels() throws {
        let operation = try #require(DataPlane.service.operation(named: "EncryptData"))
        let body: JSONValue = [
            "KeyIdentifier": "alias/ignored", "PlainText": "31323334",
            "EncryptionAttributes": ["Symmetric": ["Mode": "CBC", "InitializationVector": "0000000000000000"]],
        ]
        let input = try Wire.decodeInput(
            DataPlane.EncryptDataInput.self, for: operation, body: body, uriLabels: ["KeyIdentifier": "alias/data-key"])
        #expect(input.keyIdentifier == "alias/data-key")
        let failure = try #require(throws: ValidationFailure.self) {
            try Wire.decodeInput(DataPlane.EncryptDataInput.self, for: operation, body: body, uriLabels: ["KeyIdentifier": "alias/bad key"])
        }
        #expect(failure.violations.map(\.path) == ["KeyIdentifier"])
    }
}
