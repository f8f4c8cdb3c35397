using MigrationPortal.Domain.Common;

namespace MigrationPortal.Application.Authorization;

public static class Roles
{
    public const string Requester = "Requester";
    public const string Approver = "Approver";
    public const string Operator = "Operator";
    public const string Administrator = "Administrator";
    public const string Auditor = "Auditor";

    public static readonly IReadOnlyList<string> All = [Requester, Approver, Operator, Administrator, Auditor];
}

/// <summary>
/// The signed-in person as use cases see them: ID, name, portal roles and groups (local groups, or Entra group object IDs).
/// Built from the ClaimsPrincipal at the edge; every use case takes it and checks it itself.
/// </summary>
public sealed record PortalUser(string Id, string Name, IReadOnlySet<string> Roles, IReadOnlySet<string> Groups)
{
    public static readonly PortalUser System = new(Actor.System.Id, Actor.System.Name, new HashSet<string>(Authorization.Roles.All), new HashSet<string>());

    /// <summary>The call came with a personal access token (its roles are already narrowed to the token's); some actions need a person signed in.</summary>
    public bool ViaAccessToken { get; init; }

    public bool IsIn(string role) => Roles.Contains(role);

    public bool IsInAny(params string[] roles) => roles.Any(Roles.Contains);

    public Actor AsActor() => new(Id, Name);

    /// <summary>Roles that see every request and VM: everyone but a pure requester.</summary>
    public bool SeesEverything => IsInAny(Authorization.Roles.Approver, Authorization.Roles.Operator, Authorization.Roles.Administrator, Authorization.Roles.Auditor);
}

public static class PortalUserExtensions
{
    public static bool IsSystemUser(this PortalUser user) => user.Id == PortalUser.System.Id;
}
