using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;
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
        .. MapEndpoints.Routes,
        .. AccessTokenEndpoints.Routes,
        .. WaveEndpoints.Routes,
        .. RuleEndpoints.Routes,
        .. OptimizeEndpoints.Routes,
        ("GET", "/api/v1/vms"),
        ("POST", "/api/v1/vms/sync/{connectionId}"),
        ("PUT", "/api/v1/vms/{id}/application"),
        ("GET", "/api/v1/vms/{id}/targets"),
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
        ("POST", "/api/v1/requests/{id}/recheck"),
        ("POST", "/api/v1/requests/{id}/watch/rollback"),
        ("POST", "/api/v1/batches"),
        ("POST", "/api/v1/batches/{id}/approve"),
        ("POST", "/api/v1/batches/{id}/reject"),
        ("GET", "/api/v1/hosts"),
        ("GET", "/api/v1/datastores"),
        ("GET", "/api/v1/hosts/{id}/evacuation"),
        ("POST", "/api/v1/hosts/{id}/evacuation"),
        ("GET", "/api/v1/connections"),
        ("POST", "/api/v1/connections"),
        ("PUT", "/api/v1/connections/{id}"),
        ("POST", "/api/v1/connections/{id}/test"),
        ("POST", "/api/v1/connections/{id}/sync"),
        ("GET", "/api/v1/applications"),
        ("POST", "/api/v1/applications"),
        ("PUT", "/api/v1/applications/{id}"),
        ("DELETE", "/api/v1/applications/{id}"),
        ("GET", "/api/v1/application-owners"),
        ("GET", "/api/v1/approval-rules"),
        ("PUT", "/api/v1/approval-rules"),
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("PUT", "/api/v1/users/{id}/access"),
        ("PUT", "/api/v1/users/{id}/password"),
        ("GET", "/api/v1/windows"),
        ("POST", "/api/v1/windows"),
        ("PUT", "/api/v1/windows/{id}"),
        ("DELETE", "/api/v1/windows/{id}"),
        ("POST", "/api/v1/blackouts"),
        ("PUT", "/api/v1/blackouts/{id}"),
        ("DELETE", "/api/v1/blackouts/{id}"),
        ("GET", "/api/v1/concurrency-limits"),
        ("PUT", "/api/v1/concurrency-limits"),
        ("GET", "/api/v1/calendar"),
        ("POST", "/api/v1/calendar-feed"),
    ];

    public sealed record DecisionBody(string? Comment);

    public sealed record CancelBody(string? Reason);

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("MigrationPortal").WithPortalProblems();
        api.MapConversionMaps();
        api.MapWaves();
        api.MapRules();
        api.MapOptimize();
        app.MapAccessTokens(api);

        api.MapGet("/vms", async ([AsParameters] VmQuery q, ListVms useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(),
                new ListVms.Query(q.Search, q.ApplicationId, q.Host, q.Cluster, q.Datastore, q.PowerState, q.ConnectionId, q.SortBy ?? "name", q.Descending ?? false, q.Skip ?? 0, q.Take ?? 50), ct)))
            .WithName("ListVms");

        api.MapPost("/vms/sync/{connectionId:guid}", async (Guid connectionId, SyncInventory useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), connectionId, ct)))
            .ProducesProblem(StatusCodes.Status502BadGateway).WithName("SyncInventory");

        // The hosts (hypervisor IDs, same cluster first, unusable ones marked) and datastores a request for this VM may name.
        api.MapGet("/vms/{id:guid}/targets", async (Guid id, ListTargets useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("ListVmTargets");

        api.MapPut("/vms/{id:guid}/application", async (Guid id, VmApplicationBody body, AssignVmApplication useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new AssignVmApplication.Command(id, body.ApplicationId), ct);
            return TypedResults.NoContent();
        }).WithName("AssignVmApplication");

        api.MapGet("/requests", async (RequestState? state, bool? mine, int? skip, int? take, ListRequests useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListRequests.Query(state, mine ?? false, skip ?? 0, take ?? 50), ct)))
            .WithName("ListRequests");

        api.MapGet("/requests/{id:guid}", async (Guid id, GetRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("GetRequest");

        // The VM by portal ID, hypervisor ID or name (SubmissionBodies.cs); the use case takes its portal ID.
        api.MapPost("/requests", async (SubmitRequestBody body, VmReferences references, SubmitRequest useCase, HttpContext http, CancellationToken ct) =>
        {
            var user = http.User.ToPortalUser();
            var vmIds = await references.ResolveAsync(user, [body.Reference()], ct);
            var created = await useCase.HandleAsync(user, body.ToCommand(vmIds[0]), ct);
            return TypedResults.Created($"/api/v1/requests/{created.Id}", created);
        }).WithName("SubmitRequest");

        api.MapPost("/requests/{id:guid}/cancel", async (Guid id, CancelBody body, CancelRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new CancelRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("CancelRequest");

        api.MapPost("/requests/{id:guid}/approve", async (Guid id, DecisionBody body, ApproveRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ApproveRequest.Command(id, body.Comment ?? ""), ct)))
            .WithName("ApproveRequest");

        api.MapPost("/requests/{id:guid}/reject", async (Guid id, DecisionBody body, RejectRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RejectRequest.Command(id, body.Comment ?? ""), ct)))
            .WithName("RejectRequest");

        api.MapGet("/audit", async ([AsParameters] AuditQuery q, QueryAudit useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), q.ToFilter(), q.ToPaging(), ct)))
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
        }).Produces(StatusCodes.Status200OK, typeof(Stream), "text/csv", "application/x-ndjson").WithName("ExportAudit");

        api.MapPost("/audit/verify", async (VerifyAuditChain useCase, HttpContext http, CancellationToken ct) =>
        {
            ChainVerification result = await useCase.HandleAsync(http.User.ToPortalUser(), ct);
            return TypedResults.Ok(new ChainVerificationBody(result.IsIntact, result.EventsChecked, result.FirstBreak?.Sequence, result.FirstBreak?.Problem, result.Summary));
        }).WithName("VerifyAuditChain");

        api.MapPost("/requests/{id:guid}/retry", async (Guid id, CancelBody body, RetryRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RetryRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("RetryRequest");

        api.MapPost("/requests/{id:guid}/rollback", async (Guid id, CancelBody body, RollBackRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RollBackRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("RollBackRequest");

        // The one-click roll back after a post-move watch found a regression: a new request moving the VM back (201, its summary).
        api.MapPost("/requests/{id:guid}/watch/rollback", async (Guid id, MoveBackAfterRegression useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.Created($"/api/v1/requests/{created.Id}", created);
        }).WithName("RollBackAfterRegression");

        // "Check again" on a request that needs attention: the run asks the hypervisor once more whether its transfer started.
        api.MapPost("/requests/{id:guid}/recheck", async (Guid id, CancelBody body, RecheckRequest useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new RecheckRequest.Command(id, body.Reason ?? ""), ct)))
            .WithName("RecheckRequest");

        api.MapPost("/batches", async (SubmitBatchBody body, VmReferences references, SubmitBatch useCase, HttpContext http, CancellationToken ct) =>
        {
            var user = http.User.ToPortalUser();
            var vmIds = await references.ResolveAsync(user, body.References(), ct);
            var batch = await useCase.HandleAsync(user, body.ToCommand(vmIds), ct);
            return TypedResults.Created($"/api/v1/batches/{batch.Id}", batch);
        }).WithName("SubmitBatch");

        api.MapPost("/batches/{id:guid}/approve", async (Guid id, DecisionBody body, DecideBatch useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new DecideBatch.Command(id, body.Comment ?? ""), Verdict.Approve, ct)))
            .WithName("ApproveBatch");

        api.MapPost("/batches/{id:guid}/reject", async (Guid id, DecisionBody body, DecideBatch useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new DecideBatch.Command(id, body.Comment ?? ""), Verdict.Reject, ct)))
            .WithName("RejectBatch");

        api.MapGet("/hosts", async (ListHosts useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListHosts");

        // Datastores (libvirt: pools, "uri#pool") with their hypervisor IDs and the hosts that mount them.
        api.MapGet("/datastores", async (Guid? connectionId, ListDatastores useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), connectionId, ct)))
            .WithName("ListDatastores");

        api.MapGet("/hosts/{id:guid}/evacuation", async (Guid id, ProposeEvacuation useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .WithName("ProposeEvacuation");

        api.MapPost("/hosts/{id:guid}/evacuation", async (Guid id, SubmitEvacuationBody body, VmReferences references, SubmitEvacuation useCase, HttpContext http, CancellationToken ct) =>
        {
            var user = http.User.ToPortalUser();
            var vmIds = await references.ResolveAsync(user, body.References(), ct, onHostId: id);
            var batch = await useCase.HandleAsync(user, id, body.ToCommand(vmIds), ct);
            return TypedResults.Created($"/api/v1/batches/{batch.Id}", batch);
        }).WithName("SubmitEvacuation");

        api.MapGet("/connections", async (ListConnections useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListConnections");

        api.MapPost("/connections", async (ConnectionBody body, SaveConnection useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(null), ct);
            return TypedResults.Created($"/api/v1/connections/{saved.Id}", saved);
        }).WithName("AddConnection");

        api.MapPut("/connections/{id:guid}", async (Guid id, ConnectionBody body, SaveConnection useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(id), ct)))
            .WithName("EditConnection");

        api.MapPost("/connections/{id:guid}/test", async (Guid id, TestConnection useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, ct)))
            .ProducesProblem(StatusCodes.Status502BadGateway).WithName("TestConnection");

        // "Sync now": queues the sync and answers 202; the connection's last sync time and error tell how it went.
        api.MapPost("/connections/{id:guid}/sync", async (Guid id, SyncNow useCase, HttpContext http, CancellationToken ct) =>
        {
            var accepted = await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.Accepted($"/api/v1/connections", accepted);
        }).WithName("SyncConnectionNow");

        api.MapGet("/applications", async (ListApplications useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListApplications");

        api.MapPost("/applications", async (ApplicationBody body, CreateApplication useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), new CreateApplication.Command(body.Name, body.Environment, body.Criticality, body.Owners), ct);
            return TypedResults.Created($"/api/v1/applications/{created.Id}", created);
        }).WithName("CreateApplication");

        // A name renames the application; without one it keeps its name.
        api.MapPut("/applications/{id:guid}", async (Guid id, ApplicationBody body, SetApplicationOwners useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new SetApplicationOwners.Command(id, body.Environment, body.Criticality, body.Owners ?? [], body.Name), ct);
            return TypedResults.NoContent();
        }).WithName("EditApplication");

        api.MapDelete("/applications/{id:guid}", async (Guid id, DeleteApplication useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.NoContent();
        }).WithName("DeleteApplication");

        // The users and groups an owner may be, by name, for a client's picker.
        api.MapGet("/application-owners", async (ListOwnerChoices useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListApplicationOwnerChoices");

        api.MapGet("/approval-rules", async (ListApprovalRules useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListApprovalRules");

        api.MapPut("/approval-rules", async (IReadOnlyList<SetApprovalRules.Rule> rules, SetApprovalRules useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), rules, ct);
            return TypedResults.NoContent();
        }).WithName("SetApprovalRules");

        api.MapGet("/users", async (ListUsers useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("ListUsers");

        api.MapPost("/users", async (CreateLocalUser.Command command, CreateLocalUser useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), command, ct);
            return TypedResults.Created($"/api/v1/users/{created.Id}", created);
        }).WithName("CreateUser");

        api.MapPut("/users/{id}/access", async (string id, AccessBody body, SetUserAccess useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new SetUserAccess.Command(id, body.Roles ?? [], body.Groups ?? []), ct);
            return TypedResults.NoContent();
        }).WithName("SetUserAccess");

        api.MapPut("/users/{id}/password", async (string id, PasswordBody body, ResetLocalPassword useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new ResetLocalPassword.Command(id, body.NewPassword ?? ""), ct);
            return TypedResults.NoContent();
        }).WithName("ResetPassword");

        MapScheduling(api);
        return app;
    }

    /// <summary>Maintenance windows, blackouts (GET /windows lists both) and the concurrency limits.</summary>
    private static void MapScheduling(RouteGroupBuilder api)
    {
        api.MapGet("/windows", async (Guid? vmId, string? targetHostId, Guid? targetConnectionId, ListMaintenanceWindows useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListMaintenanceWindows.Query(vmId, targetHostId, targetConnectionId), ct)))
            .WithName("ListWindowsAndBlackouts");

        api.MapPost("/windows", async (PeriodBody body, SaveMaintenanceWindow useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), null, body.ToInput(), ct);
            return TypedResults.Created($"/api/v1/windows/{saved.Id}", saved);
        }).WithName("AddWindow");

        api.MapPut("/windows/{id:guid}", async (Guid id, PeriodBody body, SaveMaintenanceWindow useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, body.ToInput(), ct)))
            .WithName("EditWindow");

        api.MapDelete("/windows/{id:guid}", async (Guid id, DeleteMaintenanceWindow useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.NoContent();
        }).WithName("DeleteWindow");

        api.MapPost("/blackouts", async (PeriodBody body, SaveBlackout useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), null, body.ToInput(), ct);
            return TypedResults.Created($"/api/v1/blackouts/{saved.Id}", saved);
        }).WithName("AddBlackout");

        api.MapPut("/blackouts/{id:guid}", async (Guid id, PeriodBody body, SaveBlackout useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), id, body.ToInput(), ct)))
            .WithName("EditBlackout");

        api.MapDelete("/blackouts/{id:guid}", async (Guid id, DeleteBlackout useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.NoContent();
        }).WithName("DeleteBlackout");

        api.MapGet("/concurrency-limits", async (GetConcurrencyLimits useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ct)))
            .WithName("GetConcurrencyLimits");

        api.MapPut("/concurrency-limits", async (SetConcurrencyLimits.Command command, SetConcurrencyLimits useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), command, ct)))
            .WithName("SetConcurrencyLimits");

        api.MapGet("/calendar", async (DateTimeOffset? from, DateTimeOffset? to, GetCalendar useCase, HttpContext http, TimeProvider time, CancellationToken ct) =>
        {
            var start = from ?? time.GetUtcNow();
            return TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), start, to ?? start.AddDays(31), ct));
        }).WithName("GetCalendar");

        // Creates (or replaces) the caller's .ics link; the token is shown once and only its hash is kept.
        api.MapPost("/calendar-feed", async (CreateCalendarFeed useCase, HttpContext http, CancellationToken ct) =>
        {
            var created = await useCase.HandleAsync(http.User.ToPortalUser(), ct);
            return TypedResults.Ok(new CalendarFeedLink($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{created.Path}"));
        }).WithName("CreateCalendarFeed");
    }

    /// <summary>
    /// The .ics feed for calendar clients that cannot sign in (Outlook): anonymous, authenticated by the secret token in
    /// the URL alone. Outside /api so that the API's sign-in requirement does not apply.
    /// </summary>
    public static IEndpointRouteBuilder MapCalendarFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/calendar/{token}.ics", async (string token, GetCalendarFeed useCase, CancellationToken ct) =>
        {
            try
            {
                return Results.Text(await useCase.HandleAsync(token, ct), "text/calendar; charset=utf-8");
            }
            catch (NotFoundException)
            {
                // A calendar client gets a plain 404, not the browser's redirect to the not-found page.
                return Results.NotFound();
            }
        }).AllowAnonymous().WithName("CalendarFeed");
        return app;
    }

    /// <summary>A window or blackout as the API accepts it; missing fields become validation errors, not binding failures.</summary>
    public sealed record PeriodBody(string? Name, RecurrenceKind? Recurrence, string? Expression, string? TimeZoneId, DateTime? LocalStart, int? DurationMinutes,
        WindowScopeKind? ScopeKind, Guid? ScopeConnectionId, string? ScopeItem, Guid? ScopeApplicationId, bool? Enabled)
    {
        public CalendarPeriodInput ToInput() => new(Name ?? "", Recurrence ?? RecurrenceKind.OneOff, Expression, TimeZoneId ?? "", LocalStart ?? default,
            DurationMinutes ?? 0, ScopeKind, ScopeConnectionId, ScopeItem, ScopeApplicationId, Enabled ?? true);
    }

    public sealed record PasswordBody(string? NewPassword);

    /// <summary>The audit chain check: intact, or the first event whose hash does not follow from the one before.</summary>
    public sealed record ChainVerificationBody(bool IsIntact, long EventsChecked, long? FirstBrokenSequence, string? Problem, string Summary);

    /// <summary>The caller's .ics address, shown once.</summary>
    public sealed record CalendarFeedLink(string Url);

    public sealed record VmApplicationBody(Guid? ApplicationId);

    /// <summary>The secret and the client key are write-only: accepted here and never returned.</summary>
    public sealed record ConnectionBody(string? Name, string? Kind, string? Endpoint, string? Username, string? Secret, string? PinnedThumbprint, bool AllowUnencryptedMigration,
        string? CaCertificatePem = null, string? ClientCertificatePem = null, string? ClientKeyPem = null)
    {
        public SaveConnection.Command ToCommand(Guid? id) => new(id, Name ?? "", Kind ?? "", Endpoint ?? "", Username, Secret, PinnedThumbprint, AllowUnencryptedMigration,
            CaCertificatePem, ClientCertificatePem, ClientKeyPem);
    }

    public sealed record ApplicationBody(string? Environment, string? Criticality, IReadOnlyList<SetApplicationOwners.Owner?>? Owners, string? Name = null);

    public sealed record AccessBody(IReadOnlyList<string>? Roles, IReadOnlyList<string>? Groups);

    public sealed record VmQuery(string? Search, Guid? ApplicationId, string? Host, string? Cluster, string? Datastore, string? PowerState, Guid? ConnectionId,
        string? SortBy, bool? Descending, int? Skip, int? Take);

    /// <summary>Paging is page and pageSize; skip and take (the first version's) still work when skip is a whole number of pages.</summary>
    public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Vm, Guid? RequestId, string? Action, int? Skip, int? Take,
        int? Page, int? PageSize)
    {
        public AuditFilter ToFilter() => new(From, To, Actor, Vm, RequestId, Action);

        public AuditPaging ToPaging()
        {
            if (Skip is null && Take is null) return new AuditPaging(Page ?? 1, PageSize ?? 100);
            var check = new Validation()
                .Require(Page is null && PageSize is null, nameof(Page), "Use page and pageSize, or skip and take, not both.")
                .Require(Skip is null or >= 0, nameof(Skip), "Skip cannot be negative.")
                .Require(Take is null or > 0 and <= AuditPaging.MaxPageSize, nameof(Take), $"Take between 1 and {AuditPaging.MaxPageSize:N0} events.");
            check.ThrowIfInvalid();
            var take = Take ?? 100;
            check.Require((Skip ?? 0) % take == 0, nameof(Skip), "Skip must be a whole number of pages (a multiple of take); or use page and pageSize.").ThrowIfInvalid();
            return new AuditPaging((Skip ?? 0) / take + 1, take);
        }
    }
}
