namespace MigrationPortal.Domain.Common;

/// <summary>Who did something: a person's user ID and display name, or the system itself (jobs, expiry).</summary>
public sealed record Actor(string Id, string Name)
{
    public static readonly Actor System = new("system", "System");

    public bool IsSystem => Id == System.Id;

    public override string ToString() => Name;
}
