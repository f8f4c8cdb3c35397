using MigrationPortal.Application.Common;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1/optimize: the clusters and host groups, a balance or consolidation recommendation for one of them (a what-if;
/// nothing is saved), and accepting one as a batch. The use cases authorize (Operators and Administrators) and validate.
/// A group is its connection and its cluster name; "" (or no <c>cluster</c>) is the connection's hosts without a cluster.
/// </summary>
public static class OptimizeEndpoints
{
    /// <summary>The routes below, for <see cref="ApiEndpoints.Routes"/> (the authorization matrix checks every one).</summary>
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("GET", "/api/v1/optimize/groups"),
        ("GET", "/api/v1/optimize/{connectionId}/balance"),
        ("GET", "/api/v1/optimize/{connectionId}/consolidation"),
        ("POST", "/api/v1/optimize/{connectionId}/accept"),
    ];

    /// <summary>
    /// The recommendation accepted: its group, strategy and <paramref name="Fingerprint"/> as shown, and the batch's
    /// justification and schedule (by default each VM's next maintenance window, or as soon as approved where none covers it).
    /// </summary>
    public sealed record AcceptBody(string? ClusterName, OptimizationStrategy? Strategy, string? Fingerprint, string? Justification, int? ThresholdLevel,
        ScheduleMode? ScheduleMode, DateTimeOffset? NotBefore, bool? TakeSnapshot, bool? RequireEncryption, Guid? WindowId);

    public static RouteGroupBuilder MapOptimize(this RouteGroupBuilder api)
    {
        api.MapGet("/optimize/groups", async (ListOptimizationGroups useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListOptimizationGroups");

        api.MapGet("/optimize/{connectionId:guid}/balance", async (Guid connectionId, string? cluster, int? threshold, RecommendBalance useCase, HttpContext http,
                CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RecommendBalance.Query(connectionId, cluster, threshold), ct)))
            .WithName("RecommendBalance");

        api.MapGet("/optimize/{connectionId:guid}/consolidation", async (Guid connectionId, string? cluster, RecommendConsolidation useCase, HttpContext http,
                CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RecommendConsolidation.Query(connectionId, cluster), ct)))
            .WithName("RecommendConsolidation");

        api.MapPost("/optimize/{connectionId:guid}/accept", async (Guid connectionId, AcceptBody body, AcceptRecommendation useCase, HttpContext http, CancellationToken ct) =>
        {
            if (body.Strategy is not { } strategy)
                throw ValidationFailedException.For(nameof(body.Strategy), "Choose Balance or Consolidate.");
            var batch = await useCase.HandleAsync(http.User.ToPortalUser(), new AcceptRecommendation.Command(connectionId, body.ClusterName, strategy,
                body.Fingerprint ?? "", body.Justification ?? "", body.ThresholdLevel, body.ScheduleMode ?? ScheduleMode.NextWindow, body.NotBefore,
                body.TakeSnapshot ?? false, body.RequireEncryption ?? true, body.WindowId), ct);
            return TypedResults.Created($"/api/v1/batches/{batch.Id}", batch);
        }).WithName("AcceptRecommendation");
        return api;
    }
}
