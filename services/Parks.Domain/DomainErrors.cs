namespace Parks.Domain;

/// <summary>
/// Base of every rule violation a service reports to its caller. The RPC layer maps each subtype to one
/// gRPC status code with structured details (see Parks.Hosting's error interceptor); nothing else does.
/// </summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>One bad field of a request: the field path (proto field names, dotted) and why it is bad.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>The request is malformed: INVALID_ARGUMENT with google.rpc.BadRequest field violations.</summary>
public sealed class ValidationException : DomainException
{
    public ValidationException(IReadOnlyList<FieldViolation> violations)
        : base(Describe(violations)) => Violations = violations;

    public ValidationException(string field, string description)
        : this([new FieldViolation(field, description)]) { }

    public IReadOnlyList<FieldViolation> Violations { get; }

    private static string Describe(IReadOnlyList<FieldViolation> violations) =>
        violations.Count == 0
            ? "invalid request"
            : string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
}

/// <summary>A named resource does not exist: NOT_FOUND with google.rpc.ResourceInfo.</summary>
public sealed class NotFoundException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' not found")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
}

/// <summary>The resource to create exists already: ALREADY_EXISTS with google.rpc.ResourceInfo.</summary>
public sealed class AlreadyExistsException(string resourceType, string resourceName, string message)
    : DomainException(message)
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
}

/// <summary>
/// An optimistic-concurrency conflict: the caller's etag (or the version it read) is stale, or a concurrent
/// writer won. ABORTED: the caller should re-read and retry.
/// </summary>
public sealed class ConcurrencyException(string resourceName, string message) : DomainException(message)
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>One unmet precondition: a type (e.g. "TIER_TRANSITION"), the subject, and why.</summary>
public sealed record PreconditionViolation(string Type, string Subject, string Description);

/// <summary>
/// The request is well formed but the system is not in a state that allows it (a tier jump the rules
/// forbid, a stage skip, a closed window, an exhausted budget): FAILED_PRECONDITION with
/// google.rpc.PreconditionFailure.
/// </summary>
public sealed class FailedPreconditionException : DomainException
{
    public FailedPreconditionException(string type, string subject, string description)
        : base(description) => Violations = [new PreconditionViolation(type, subject, description)];

    public IReadOnlyList<PreconditionViolation> Violations { get; }
}

/// <summary>The caller may not do this to this resource: PERMISSION_DENIED.</summary>
public sealed class PermissionDeniedException(string message) : DomainException(message);

/// <summary>A value is valid in form but beyond an allowed range (a cap, a quota): OUT_OF_RANGE.</summary>
public sealed class OutOfRangeException(string field, string message) : DomainException(message)
{
    public string Field { get; } = field;
}

/// <summary>Collects field violations so a request reports all of its problems at once.</summary>
public sealed class Validator
{
    private List<FieldViolation>? _violations;

    public bool IsValid => _violations is null;

    public Validator Add(string field, string description)
    {
        (_violations ??= []).Add(new FieldViolation(field, description));
        return this;
    }

    public Validator Require(bool condition, string field, string description) =>
        condition ? this : Add(field, description);

    public Validator RequireText(string? value, string field, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "is required");
        if (value.Length > maxLength) return Add(field, $"must be at most {maxLength} characters (got {value.Length})");
        return this;
    }

    /// <summary>Throws <see cref="ValidationException"/> when anything was added.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations is not null) throw new ValidationException(_violations);
    }
}
