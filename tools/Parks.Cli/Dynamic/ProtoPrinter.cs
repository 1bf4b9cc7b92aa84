using System.Text;
using Google.Protobuf.Reflection;

namespace Parks.Cli.Dynamic;

/// <summary>Descriptors as .proto text, with their comments (what <c>grpcurl describe</c> prints).</summary>
internal static class ProtoPrinter
{
    public static string Describe(IDescriptor descriptor)
    {
        var text = new StringBuilder();
        switch (descriptor)
        {
            case ServiceDescriptor service:
                text.AppendLine($"{service.FullName} is a service:");
                Comment(text, service.Declaration, "");
                text.AppendLine($"service {service.Name} {{");
                foreach (var method in service.Methods) Method(text, method, "  ");
                text.AppendLine("}");
                break;
            case MethodDescriptor method:
                text.AppendLine($"{method.FullName} is a method:");
                Method(text, method, "");
                break;
            case MessageDescriptor message:
                text.AppendLine($"{message.FullName} is a message:");
                Message(text, message, "");
                break;
            case EnumDescriptor type:
                text.AppendLine($"{type.FullName} is an enum:");
                Enum(text, type, "");
                break;
            case FieldDescriptor field:
                text.AppendLine($"{field.FullName} is a field:");
                Field(text, field, "");
                break;
            case EnumValueDescriptor value:
                text.AppendLine($"{value.FullName} is an enum value:");
                text.AppendLine($"{value.Name} = {value.Number};");
                break;
            default:
                text.AppendLine(descriptor.FullName);
                break;
        }
        return text.ToString();
    }

    private static void Method(StringBuilder text, MethodDescriptor method, string indent)
    {
        Comment(text, method.Declaration, indent);
        var input = (method.IsClientStreaming ? "stream " : "") + "." + method.InputType.FullName;
        var output = (method.IsServerStreaming ? "stream " : "") + "." + method.OutputType.FullName;
        text.AppendLine($"{indent}rpc {method.Name} ( {input} ) returns ( {output} );");
    }

    private static void Message(StringBuilder text, MessageDescriptor message, string indent)
    {
        Comment(text, message.Declaration, indent);
        text.AppendLine($"{indent}message {message.Name} {{");
        var inner = indent + "  ";
        foreach (var nested in message.NestedTypes.Where(n => !n.GetOptions()?.MapEntry ?? true)) Message(text, nested, inner);
        foreach (var type in message.EnumTypes) Enum(text, type, inner);
        var printedOneofs = new HashSet<OneofDescriptor>();
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is { } oneof)
            {
                if (!printedOneofs.Add(oneof)) continue;
                text.AppendLine($"{inner}oneof {oneof.Name} {{");
                foreach (var member in oneof.Fields) Field(text, member, inner + "  ");
                text.AppendLine($"{inner}}}");
                continue;
            }
            Field(text, field, inner);
        }
        text.AppendLine($"{indent}}}");
    }

    private static void Field(StringBuilder text, FieldDescriptor field, string indent)
    {
        Comment(text, field.Declaration, indent);
        string type;
        if (field.IsMap)
        {
            type = $"map<{TypeName(field.MessageType.FindFieldByNumber(1))}, {TypeName(field.MessageType.FindFieldByNumber(2))}>";
        }
        else
        {
            var label = field.IsRepeated ? "repeated " : field.HasPresence && field.RealContainingOneof is null && field.FieldType != FieldType.Message ? "optional " : "";
            type = label + TypeName(field);
        }
        text.AppendLine($"{indent}{type} {field.Name} = {field.FieldNumber};");
    }

    private static void Enum(StringBuilder text, EnumDescriptor type, string indent)
    {
        Comment(text, type.Declaration, indent);
        text.AppendLine($"{indent}enum {type.Name} {{");
        foreach (var value in type.Values)
        {
            Comment(text, value.Declaration, indent + "  ");
            text.AppendLine($"{indent}  {value.Name} = {value.Number};");
        }
        text.AppendLine($"{indent}}}");
    }

    private static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => "." + field.MessageType.FullName,
        FieldType.Enum => "." + field.EnumType.FullName,
        _ => field.FieldType.ToString().ToLowerInvariant(),
    };

    private static void Comment(StringBuilder text, DescriptorDeclaration? declaration, string indent)
    {
        var comment = declaration?.LeadingComments;
        if (string.IsNullOrWhiteSpace(comment)) return;
        foreach (var line in comment.TrimEnd().Split('\n')) text.AppendLine($"{indent}//{line.TrimEnd()}");
    }
}
