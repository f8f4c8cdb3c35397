using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// How one run writes down what it does to its request: each change is applied to a freshly loaded request and saved with
/// its audit events, steps start and end on their rows, and progress goes to its own table. One per run, made by the runner.
/// </summary>
public sealed class RunJournal(IPortalDb db, IPortalDbFactory dbFactory, TimeProvider time, IRequestChangeNotifier notifier, ILogger logger)
{
    private Guid _requestId;

    public IPortalDb Db => db;

    public IPortalDbFactory DbFactory => dbFactory;

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    public Guid RequestId => _requestId;

    public DateTimeOffset Now => time.GetUtcNow();

    internal void Begin(Guid requestId) => _requestId = requestId;

    public async Task<MigrationRequest> ReloadAsync(CancellationToken ct)
    {
        db.DiscardChanges();
        return await db.LoadRequestAsync(_requestId, ct);
    }

    public Task<MigrationRequest> StartStepAsync(string step, CancellationToken ct) => MutateAsync(r => r.StartStep(step, time.GetUtcNow()), ct, ("started", step, null));

    /// <summary>Ends a step; returns the request as saved, so the runner need not read it again.</summary>
    public Task<MigrationRequest> EndStepAsync(string step, StepStatus status, string? message, CancellationToken ct) =>
        MutateAsync(r => r.EndStep(step, status, time.GetUtcNow(), message), ct, (status.ToString().ToLowerInvariant(), step, message));

    /// <summary>
    /// Saves a step's data for a resumed run (<see cref="MigrationRequest.RecordStepData"/>) in one commit with an audit
    /// note saying what it is, so the trail and the row never disagree.
    /// </summary>
    public Task<MigrationRequest> SaveStepDataAsync<T>(string step, T data, string note, CancellationToken ct) =>
        MutateAsync(r => r.RecordStepData(step, JsonSerializer.Serialize(data, StepDataJson)), ct, ("note", step, note));

    /// <summary>The data a step saved, or default when it saved none.</summary>
    public static T? StepData<T>(MigrationRequest request, string step) =>
        request.FindStep(step)?.Data is { } json ? JsonSerializer.Deserialize<T>(json, StepDataJson) : default;

    private static readonly JsonSerializerOptions StepDataJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>An audit note on the request ("job.step" with status "note").</summary>
    public Task AuditAsync(string step, string message, CancellationToken ct) => MutateAsync(_ => { }, ct, ("note", step, message));

    /// <summary>
    /// Applies one change to a freshly loaded request and saves it with its audit records. A person may change the
    /// request at the same time (a cancel request), so a lost concurrency race reloads and applies the change again.
    /// </summary>
    public async Task<MigrationRequest> MutateAsync(Action<MigrationRequest> change, CancellationToken ct, (string Status, string Step, string? Message)? stepEvent = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var request = await ReloadAsync(ct);
            var before = request.Transitions.Count;
            change(request);
            if (stepEvent is { } s)
                AuditLog.ForRequest(db, time.GetUtcNow(), Actor.System, AuditActions.JobStep, request, new { step = s.Step, status = s.Status, message = s.Message });
            AuditLog.TransitionsSince(db, request, before);
            try
            {
                await db.SaveChangesAsync(ct);
                notifier.RequestChanged(_requestId);
                return request;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                logger.LogInformation("Request {RequestId} changed while the job saved; reloading (attempt {Attempt}).", _requestId, attempt);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ConflictException("The request kept changing while the job tried to save.");
            }
        }
    }

    /// <summary>An audit event in a unit of work of its own, for a loop beside the main flow (the cancel guard).</summary>
    public async Task AuditApartAsync(string action, object details, CancellationToken ct)
    {
        await using var own = await dbFactory.CreateAsync(ct);
        var request = await own.Requests.AsNoTracking().FirstAsync(r => r.Id == _requestId, ct);
        AuditLog.ForRequest(own, time.GetUtcNow(), Actor.System, action, request, details);
        await own.SaveChangesAsync(ct);
        notifier.RequestChanged(_requestId);
    }

    public async Task WriteProgressAsync(TransferProgress p, CancellationToken ct)
    {
        try
        {
            await TryWriteProgressAsync(p, ct);
        }
        catch (DbUpdateException)
        {
            // The heartbeat loop inserted the progress row between our read and our insert; the row exists now, so update it.
            await TryWriteProgressAsync(p, ct);
        }
    }

    private async Task TryWriteProgressAsync(TransferProgress p, CancellationToken ct)
    {
        await using var progressDb = await dbFactory.CreateAsync(ct);
        var row = await progressDb.Progress.FirstOrDefaultAsync(x => x.RequestId == _requestId, ct);
        if (row is null) progressDb.Progress.Add(row = new MigrationProgress { RequestId = _requestId });
        var now = time.GetUtcNow();
        row.Phase = p.Phase;
        row.Percent = Math.Clamp(p.Percent, 0, 100);
        row.BytesTransferred = p.BytesTransferred;
        row.BytesTotal = p.BytesTotal;
        row.EtaSeconds = p.Eta is { } eta ? (int)Math.Ceiling(eta.TotalSeconds) : null;
        row.UpdatedAt = now;
        row.HeartbeatAt = now;
        await progressDb.SaveChangesAsync(ct);
        notifier.RequestChanged(_requestId);
    }
}
