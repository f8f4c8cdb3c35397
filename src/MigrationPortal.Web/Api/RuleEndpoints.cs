using MigrationPortal.Application.Common;
using MigrationPortal.Application.Rules;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1 for placement rules and cluster headroom. The use cases authorize (Administrators and Operators change, everyone
/// signed in reads) and validate; binding failures become 400s through <see cref="ApiInput"/> like everywhere else.
/// </summary>
public static class RuleEndpoints
{
    /// <summary>The routes below, for <see cref="ApiEndpoints.Routes"/> (the authorization matrix checks every one).</summary>
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("GET", "/api/v1/rules"),
        ("GET", "/api/v1/rules/{id}"),
        ("POST", "/api/v1/rules"),
        ("PUT", "/api/v1/rules/{id}"),
        ("DELETE", "/api/v1/rules/{id}"),
        ("GET", "/api/v1/headroom"),
        ("PUT", "/api/v1/headroom/{connectionId}"),
    ];

    /// <summary>A rule as the API accepts it. <paramref name="ConnectionId"/> is read on POST only; <paramref name="Version"/> is required on PUT.</summary>
    public sealed record RuleBody(Guid? ConnectionId, string? Name, PlacementRuleKind? Kind, RuleEnforcement? Enforcement, IReadOnlyList<Guid>? VmIds, IReadOnlyList<Guid>? HostIds,
        int? Version);

    /// <summary>One cluster's headroom; <paramref name="ClusterName"/> "" (or absent) is the connection's hosts without a cluster.</summary>
    public sealed record HeadroomBody(string? ClusterName, int? CpuPercent, int? MemoryPercent);

    public static RouteGroupBuilder MapRules(this RouteGroupBuilder api)
    {
        api.MapGet("/rules", async (Guid? connectionId, ListRules useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListRules.Query(connectionId), ct)))
            .WithName("ListRules");

        api.MapGet("/rules/{id:guid}", async (Guid id, ListRules useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok((await useCase.HandleAsync(http.User.ToPortalUser(), new ListRules.Query(RuleId: id), ct)).SingleOrDefault() ?? throw new NotFoundException("Rule", id)))
            .WithName("GetRule");

        api.MapPost("/rules", async (RuleBody body, CreateRule useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(),
                new CreateRule.Command(body.ConnectionId ?? Guid.Empty, body.Name, body.Kind, body.Enforcement, body.VmIds, body.HostIds), ct);
            return TypedResults.Created($"/api/v1/rules/{created.Id}", created);
        }).WithName("AddRule");

        api.MapPut("/rules/{id:guid}", async (Guid id, RuleBody body, UpdateRule useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(),
                new UpdateRule.Command(id, body.Version, body.Name, body.Kind, body.Enforcement, body.VmIds, body.HostIds), ct)))
            .WithName("EditRule");

        api.MapDelete("/rules/{id:guid}", async (Guid id, DeleteRule useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.NoContent();
        }).WithName("DeleteRule");

        api.MapGet("/headroom", async (Guid? connectionId, ListHeadroom useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), connectionId, ct)))
            .WithName("ListHeadroom");

        api.MapPut("/headroom/{connectionId:guid}", async (Guid connectionId, HeadroomBody body, SetClusterHeadroom useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new SetClusterHeadroom.Command(connectionId, body.ClusterName, body.CpuPercent, body.MemoryPercent), ct)))
            .WithName("SetClusterHeadroom");
        return api;
    }
}
