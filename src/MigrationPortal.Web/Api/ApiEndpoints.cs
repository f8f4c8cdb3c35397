using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
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
        ("PUT", "/api/v1/vms/{id}/application"),
        ("GET", "/api/v1/requests"),
        ("GET", "/api/v1/requests/{id}"),
        ("POST", "/api/v1/requests"),
        ("POST", "/api/v1/requests/{id}/cancel"),
        ("POST", "/api/v1/requests/{id}/approve"),
        ("POST", "/api/v1/requests/{id}/reject"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/audit/export"),
        ("POST", "/api/v1/audit/verify"),
        ("POST", "/api/v1/requests/{id}/retry"),
        ("POST", "/api/v1/requests/{id}/rollback"),
        ("POST", "/api/v1/batches"),
        ("POST", "/api/v1/batches/{id}/approve"),
        ("POST", "/api/v1/batches/{id}/reject"),
        ("GET", "/api/v1/hosts"),
        ("GET", "/api/v1/hosts/{id}/evacuation"),
        ("POST", "/api/v1/hosts/{id}/evacuation"),
        ("GET", "/api/v1/connections"),
        ("POST", "/api/v1/connections"),
        ("PUT", "/api/v1/connections/{id}"),
        ("POST", "/api/v1/connections/{id}/test"),
        ("GET", "/api/v1/applications"),
        ("PUT", "/api/v1/applications/{id}"),
        ("GET", "/api/v1/approval-rules"),
        ("PUT", "/api/v1/approval-rules"),
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("PUT", "/api/v1/users/{id}/access"),
        ("PUT", "/api/v1/users/{id}/password"),
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

        api.MapPut("/vms/{id:guid}/application", async (Guid id, VmApplicationBody body, AssignVmApplication useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new AssignVmApplication.Command(id, body.ApplicationId), ct);
            return Results.NoContent();
        }).WithName("AssignVmApplication");

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

        api.MapPost("/requests/{id:guid}/retry", async (Guid id, CancelBody body, RetryRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RetryRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("RetryRequest");

        api.MapPost("/requests/{id:guid}/rollback", async (Guid id, CancelBody body, RollBackRequest useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RollBackRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("RollBackRequest");

        api.MapPost("/batches", async (SubmitBatch.Command command, SubmitBatch useCase, HttpContext http, CancellationToken ct) =>
        {
            var batch = await useCase.HandleAsync(http.User.ToPortalUser(), command, ct);
            return Results.Created($"/api/v1/batches/{batch.Id}", batch);
        }).WithName("SubmitBatch");

        api.MapPost("/batches/{id:guid}/approve", async (Guid id, DecisionBody body, DecideBatch useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new DecideBatch.Command(id, body.Comment ?? ""), Verdict.Approve, ct)))
            .WithName("ApproveBatch");

        api.MapPost("/batches/{id:guid}/reject", async (Guid id, DecisionBody body, DecideBatch useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new DecideBatch.Command(id, body.Comment ?? ""), Verdict.Reject, ct)))
            .WithName("RejectBatch");

        api.MapGet("/hosts", async (ListHosts useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListHosts");

        api.MapGet("/hosts/{id:guid}/evacuation", async (Guid id, ProposeEvacuation useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("ProposeEvacuation");

        api.MapPost("/hosts/{id:guid}/evacuation", async (Guid id, SubmitEvacuation.Command command, SubmitEvacuation useCase, HttpContext http, CancellationToken ct) =>
        {
            var batch = await useCase.HandleAsync(http.User.ToPortalUser(), id, command, ct);
            return Results.Created($"/api/v1/batches/{batch.Id}", batch);
        }).WithName("SubmitEvacuation");

        api.MapGet("/connections", async (ListConnections useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListConnections");

        api.MapPost("/connections", async (ConnectionBody body, SaveConnection useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(null), ct);
            return Results.Created($"/api/v1/connections/{saved.Id}", saved);
        }).WithName("AddConnection");

        api.MapPut("/connections/{id:guid}", async (Guid id, ConnectionBody body, SaveConnection useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(id), ct)))
            .WithName("EditConnection");

        api.MapPost("/connections/{id:guid}/test", async (Guid id, TestConnection useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("TestConnection");

        api.MapGet("/applications", async (ListApplications useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListApplications");

        api.MapPut("/applications/{id:guid}", async (Guid id, ApplicationBody body, SetApplicationOwners useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new SetApplicationOwners.Command(id, body.Environment, body.Criticality, body.Owners ?? []), ct);
            return Results.NoContent();
        }).WithName("EditApplication");

        api.MapGet("/approval-rules", async (ListApprovalRules useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListApprovalRules");

        api.MapPut("/approval-rules", async (IReadOnlyList<SetApprovalRules.Rule> rules, SetApprovalRules useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), rules, ct);
            return Results.NoContent();
        }).WithName("SetApprovalRules");

        api.MapGet("/users", async (ListUsers useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListUsers");

        api.MapPost("/users", async (CreateLocalUser.Command command, CreateLocalUser useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), command, ct);
            return Results.Created($"/api/v1/users/{created.Id}", created);
        }).WithName("CreateUser");

        api.MapPut("/users/{id}/access", async (string id, AccessBody body, SetUserAccess useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new SetUserAccess.Command(id, body.Roles ?? [], body.Groups ?? []), ct);
            return Results.NoContent();
        }).WithName("SetUserAccess");

        api.MapPut("/users/{id}/password", async (string id, PasswordBody body, ResetLocalPassword useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new ResetLocalPassword.Command(id, body.NewPassword ?? ""), ct);
            return Results.NoContent();
        }).WithName("ResetPassword");

        return app;
    }

    public sealed record PasswordBody(string? NewPassword);

    public sealed record VmApplicationBody(Guid? ApplicationId);

    /// <summary>The secret and the client key are write-only: accepted here and never returned.</summary>
    public sealed record ConnectionBody(string? Name, string? Kind, string? Endpoint, string? Username, string? Secret, string? PinnedThumbprint, bool AllowUnencryptedMigration,
        string? CaCertificatePem = null, string? ClientCertificatePem = null, string? ClientKeyPem = null)
    {
        public SaveConnection.Command ToCommand(Guid? id) => new(id, Name ?? "", Kind ?? "", Endpoint ?? "", Username, Secret, PinnedThumbprint, AllowUnencryptedMigration,
            CaCertificatePem, ClientCertificatePem, ClientKeyPem);
    }

    public sealed record ApplicationBody(string? Environment, string? Criticality, IReadOnlyList<SetApplicationOwners.Owner>? Owners);

    public sealed record AccessBody(IReadOnlyList<string>? Roles, IReadOnlyList<string>? Groups);

    public sealed record VmQuery(string? Search, Guid? ApplicationId, string? Host, string? Cluster, string? Datastore, string? PowerState, Guid? ConnectionId,
        string? SortBy, bool? Descending, int? Skip, int? Take);

    public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Vm, Guid? RequestId, string? Action, int? Skip, int? Take)
    {
        public AuditFilter ToFilter() => new(From, To, Actor, Vm, RequestId, Action);
    }
}
