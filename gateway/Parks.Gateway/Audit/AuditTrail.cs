using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Gateway.V1;

namespace Parks.Gateway.Audit;

/// <summary>
/// The audit trail of writes through the gateway: every admitted call to a write method, whatever its outcome, is
/// logged as a structured event (EventId 2001, for the log pipeline) and kept in a bounded in-memory trail that
/// operators read with parks.gateway.v1.AuditService. Per replica; the log is the durable record.
/// </summary>
internal sealed class AuditTrail
{
    private readonly AuditRecord?[] _ring;
    private readonly ILogger<AuditTrail> _logger;
    private readonly object _lock = new();
    private long _next;

    public AuditTrail(IOptions<GatewayOptions> options, ILogger<AuditTrail> logger)
    {
        _ring = new AuditRecord?[options.Value.AuditCapacity];
        _logger = logger;
    }

    public void Record(AuditRecord record)
    {
        GatewayLog.Audit(_logger, record.Caller, record.CallerRole, record.CallerUnit, record.Method, record.Resource, record.Status, record.Transport, record.DurationMs);
        lock (_lock)
        {
            record.Name = "auditRecords/" + _next.ToString(CultureInfo.InvariantCulture);
            _ring[_next % _ring.Length] = record;
            _next++;
        }
    }

    /// <summary>Newest first. The page token is the sequence number to continue below.</summary>
    public (IReadOnlyList<AuditRecord> Records, string NextPageToken) List(int pageSize, string? pageToken, string? caller, string? status)
    {
        var size = pageSize <= 0 ? 100 : Math.Min(pageSize, 1000);
        var records = new List<AuditRecord>(size);
        lock (_lock)
        {
            var oldest = Math.Max(0, _next - _ring.Length);
            var start = _next - 1;
            if (!string.IsNullOrEmpty(pageToken))
            {
                if (!long.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var below) || below > _next)
                    throw new Parks.Domain.ValidationException("page_token", "is not a page token of this list");
                start = below - 1;
            }
            var sequence = start;
            for (; sequence >= oldest && records.Count < size; sequence--)
            {
                var record = _ring[sequence % _ring.Length]!;
                if (!string.IsNullOrEmpty(caller) && record.Caller != caller) continue;
                if (!string.IsNullOrEmpty(status) && record.Status != status) continue;
                records.Add(record.Clone());
            }
            var next = sequence >= oldest && records.Count == size ? (sequence + 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
            return (records, next);
        }
    }

    public static Timestamp Now(TimeProvider time) => Timestamp.FromDateTimeOffset(time.GetUtcNow());
}
