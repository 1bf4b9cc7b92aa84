using Google.Protobuf;
using Google.Protobuf.Compiler;
using Parks.Rpc.CodeGen;

// protoc plugin protocol: CodeGeneratorRequest on stdin, CodeGeneratorResponse on stdout.
using var stdin = Console.OpenStandardInput();
var request = CodeGeneratorRequest.Parser.ParseFrom(stdin);
var response = ServiceGenerator.Generate(request);
using var stdout = Console.OpenStandardOutput();
response.WriteTo(stdout);
