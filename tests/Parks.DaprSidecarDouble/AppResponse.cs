using System.Text.Json;

namespace Parks.DaprSidecarDouble;

/// <summary>What daprd does with a delivery, decided from the app's answer.</summary>
public enum DeliveryOutcome
{
    Success,
    Retry,
    Drop,
}

/// <summary>The response table of wire-contracts §A6.</summary>
public static class AppResponse
{
    /// <param name="statusCode">HTTP status, or null when the call failed (connection error, timeout).</param>
    public static DeliveryOutcome Interpret(int? statusCode, ReadOnlySpan<byte> body)
    {
        if (statusCode is null) return DeliveryOutcome.Retry;
        if (statusCode == 404) return DeliveryOutcome.Drop;
        if (statusCode is < 200 or > 299) return DeliveryOutcome.Retry;
        if (body.IsEmpty) return DeliveryOutcome.Success;
        string? status;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object) return DeliveryOutcome.Success;
            if (!document.RootElement.TryGetProperty("status", out var element)) return DeliveryOutcome.Success;
            // Go decodes into a string field: a non-string status is a decode error, and an invalid body is ignored.
            if (element.ValueKind != JsonValueKind.String) return DeliveryOutcome.Success;
            status = element.GetString();
        }
        catch (JsonException)
        {
            return DeliveryOutcome.Success;
        }
        return status switch
        {
            // Exact, case-sensitive matches only; "" counts as SUCCESS like a missing status.
            "SUCCESS" or "" => DeliveryOutcome.Success,
            "DROP" => DeliveryOutcome.Drop,
            _ => DeliveryOutcome.Retry,
        };
    }
}
