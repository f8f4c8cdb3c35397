namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The limits that hold for every kind, stored as rows of the reserved kind <c>portal</c>: how many migrations run at once
/// in the whole portal and on one connection.
/// </summary>
public static class PortalLimits
{
    public const string Kind = "portal";
    public const string Global = "global";
    public const string PerConnection = "per-connection";

    public static readonly IReadOnlyList<LimitDefinition> Definitions =
    [
        new(Global, "Portal-wide", 64, "Migrations running at once across every connection."),
        new(PerConnection, "Per connection", 32, "Migrations running at once on one connection."),
    ];
}
