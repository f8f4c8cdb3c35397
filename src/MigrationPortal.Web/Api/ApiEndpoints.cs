using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1: the same use cases as the UI, with the same authorization (the use cases check it; the group only demands a
/// signed-in user). Every endpoint is listed in <see cref="Routes"/> so the authorization-matrix test notices a new one.
/// </summary>
public static class ApiEndpoints
{
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("GET", "/api/v1/vms"),
        ("POST", "/api/v1/vms/sync/{connectionId}"),
        ("GET", "/api/v1/requests"),
        ("GET", "/api/v1/requests/{id}"),
        ("POST", "/api/v1/requests"),
        ("POST", "/api/v1/requests/{id}/cancel"),
        ("POST", "/api/v1/requests/{id}/approve"),
        ("POST", "/api/v1/requests/{id}/reject"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/audit/export"),
        ("POST", "/api/v1/audit/verify"),
    ];

    public sealed record DecisionBody(string? Comment);

    public sealed record CancelBody(string? Reason);

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("MigrationPortal");

        api.MapGet("/vms", async ([AsParameters] VmQuery q, ListVms useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(),
                new ListVms.Query(q.Search, q.ApplicationId, q.Host, q.Cluster, q.Datastore, q.PowerState, q.ConnectionId, q.SortBy ?? "name", q.Descending ?? false, q.Skip ?? 0, q.Take ?? 50), ct)))
            .WithName("ListVms");

        api.MapPost("/vms/sync/{connectionId:guid}", async (Guid connectionId, SyncInventory useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), connectionId, ct)))
            .WithName("SyncInventory");

        api.MapGet("/requests", async (RequestState? state, bool? mine, int? skip, int? take, ListRequests useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListRequests.Query(state, mine ?? false, skip ?? 0, take ?? 50), ct)))
            .WithName("ListRequests");

        api.MapGet("/requests/{id:guid}", async (Guid id, GetRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("GetRequest");

        api.MapPost("/requests", async (SubmitRequest.Command command, SubmitRequest useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), command, ct);
            return Results.Created($"/api/v1/requests/{created.Id}", created);
        }).WithName("SubmitRequest");

        api.MapPost("/requests/{id:guid}/cancel", async (Guid id, CancelBody body, CancelRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new CancelRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("CancelRequest");

        api.MapPost("/requests/{id:guid}/approve", async (Guid id, DecisionBody body, ApproveRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ApproveRequest.Command(id, body.Comment ?? ""), ct)))
            .WithName("ApproveRequest");

        api.MapPost("/requests/{id:guid}/reject", async (Guid id, DecisionBody body, RejectRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RejectRequest.Command(id, body.Comment ?? ""), ct)))
            .WithName("RejectRequest");

        api.MapGet("/audit", async ([AsParameters] AuditQuery q, QueryAudit useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), q.ToFilter(), q.Skip ?? 0, q.Take ?? 100, ct)))
            .WithName("QueryAudit");

        api.MapGet("/audit/export", async ([AsParameters] AuditQuery q, string? format, ExportAudit useCase, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var filter = q.ToFilter();
            var chosen = await useCase.BeginAsync(http.User.ToPortalUser(), filter, format ?? "csv", ct);
            http.Response.ContentType = chosen.ContentType;
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.{chosen.FileExtension}\"";
            // Written straight to the response body: nothing is buffered, however many events match.
            await useCase.WriteAsync(chosen, filter, http.Response.Body, ct);
            return Results.Empty;
        }).WithName("ExportAudit");

        api.MapPost("/audit/verify", async (VerifyAuditChain useCase, HttpContext http, CancellationToken ct) =>
        {
            ChainVerification result = await useCase.HandleAsync(http.User.ToPortalUser(), ct);
            return Results.Ok(new { result.IsIntact, result.EventsChecked, firstBrokenSequence = result.FirstBreak?.Sequence, problem = result.FirstBreak?.Problem, result.Summary });
        }).WithName("VerifyAuditChain");

        return app;
    }

    public sealed record VmQuery(string? Search, Guid? ApplicationId, string? Host, string? Cluster, string? Datastore, string? PowerState, Guid? ConnectionId,
        string? SortBy, bool? Descending, int? Skip, int? Take);

    public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Vm, Guid? RequestId, string? Action, int? Skip, int? Take)
    {
        public AuditFilter ToFilter() => new(From, To, Actor, Vm, RequestId, Action);
    }
}
