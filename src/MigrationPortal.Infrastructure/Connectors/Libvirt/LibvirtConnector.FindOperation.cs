using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// "Did this request's transfer start?", for a run that found the recorded intent but no operation ID. libvirt keeps no
/// job IDs or history, so the answer comes from where the domain is, the job it runs, libvirt's statistics of its last
/// completed job, and the portal's own <see cref="TransferMark"/> written just before libvirt was asked to start. A Found
/// carries the operation ID StartTransferAsync returned, which GetOperationStateAsync and WatchTransferAsync accept.
/// NotFound is said only with both hosts asked and the domain where the move would have taken it from; any host that
/// cannot be asked, or a job or placement the portal did not cause, is Unknown.
/// </summary>
public sealed partial class LibvirtConnector
{
    public Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Source);
        try
        {
            return plan.Kind == MigrationKind.Storage ? FindBlockCopy(plan, startedAfter, session) : FindMigration(plan, startedAfter, session);
        }
        catch (LibvirtException e)
        {
            // Connecting or asking failed: libvirt's error starts with the host it came from.
            return OperationLookup.Unknown($"libvirt could not be asked whether the transfer of {plan.VmName} started: {e.Message}");
        }
    }, ct);

    private OperationLookup FindMigration(MigrationPlan plan, DateTimeOffset startedAfter, LibvirtSession session)
    {
        var sourceUri = plan.SourceHostId ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "The request does not record the source host.", "find operation");
        var targetUri = plan.Target.HostId ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "A compute move needs a target host.", "find operation");
        var source = session.Hostname(sourceUri);
        var target = session.Hostname(targetUri);

        using var there = session.Connect(targetUri).FindDomain(plan.VmExternalId);
        var markThere = there is null ? null : TransferMark.ReadFrom(there);
        var activeThere = there is not null && there.State().IsActive();
        using var here = session.Connect(sourceUri).FindDomain(plan.VmExternalId);
        var markHere = here is null ? null : TransferMark.ReadFrom(here);
        var mine = new[] { markHere, markThere }.FirstOrDefault(m => m is not null && m.IsOf(plan.RequestId, startedAfter));

        if (here is not null && here.State().IsActive())
        {
            var job = here.GetJobStats();
            if (job.Active)
            {
                if (job.Kind == JobOperation.MigrationOut && mine is not null)
                    return OperationLookup.Found(mine.OperationId, $"libvirt runs an outgoing migration of {plan.VmName} on {source} ({(job.ElapsedMs ?? 0) / 1000.0:0.0} s so far), {mine.Describe()}.");
                return OperationLookup.Unknown($"{source} runs a {job.Kind} job on {plan.VmName} that this request did not start ({markHere?.Describe() ?? "the domain carries no mark of this request"}); "
                    + "the portal does not start a second one.");
            }

            if (mine is null)
            {
                if (there is not null)
                    return OperationLookup.Unknown($"{plan.VmName} runs on {source} with no migration job, but {target} also has a domain with its UUID ({there.State()}), without a mark of this request.");
                // Both hosts asked, no job, the VM where the move would take it from, and no mark: the start call never reached libvirt.
                return OperationLookup.NotFound($"No migration of {plan.VmName} started: it runs on {source} with no job, {target} has no domain with its UUID, "
                    + $"and the domain carries no mark of this request ({markHere?.Describe() ?? "no mark at all"}).");
            }

            if (there is not null)
                return OperationLookup.Found(mine.OperationId, $"{plan.VmName} is switching over: still active on {source} and already defined on {target}, {mine.Describe()}.");
            if (_jobs.Find(mine.OperationId) is not null)
                return OperationLookup.Found(mine.OperationId, $"This portal process started the migration of {plan.VmName} and holds its result; {mine.Describe()}.");

            // The mark dropped the older completed-job statistics, so any completed outgoing migration seen now is this
            // transfer's (libvirt 9.0 keeps them only for a migration that completed; newer versions also for a failed one).
            var completed = here.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
            if (completed.Kind == JobOperation.MigrationOut && completed.Type is JobType.Completed or JobType.Failed or JobType.Cancelled)
                return OperationLookup.Found(mine.OperationId, $"libvirt ran this request's migration of {plan.VmName} and it ended {completed.Type}"
                    + $"{(completed.ErrorMessage is { } error ? $" ({error})" : "")}; the VM is still on {source}; {mine.Describe()}.");
            // Otherwise the trace of a migration that began is the disk libvirt pre-created on the destination (it does so
            // when the destination prepares, before any byte moves, and leaves it behind when the migration fails).
            var destination = session.Connect(targetUri);
            var created = mine.Creates.Where(destination.FileExists).ToList();
            if (created.Count > 0)
                return OperationLookup.Found(mine.OperationId, $"This request's migration of {plan.VmName} began (libvirt pre-created {string.Join(", ", created)} on {target}) "
                    + $"and is no longer running; the VM is still on {source}; {mine.Describe()}.");
            if (mine.Creates.Count > 0)
                return OperationLookup.NotFound($"The start of this request's migration was interrupted before libvirt began it: {plan.VmName} runs on {source} with no job, "
                    + $"{target} has no domain with its UUID, and libvirt never pre-created {string.Join(", ", mine.Creates)} there ({mine.Describe()}).");
            return OperationLookup.Unknown($"{plan.VmName} runs on {source} with no job and {target} has no domain with its UUID, but this request's migration was marked "
                + $"({mine.Describe()}) and libvirt keeps no record of a migration that failed; the portal cannot tell whether it began.");
        }

        if (there is not null && mine is not null)
            return OperationLookup.Found(mine.OperationId, $"{plan.VmName} is {(activeThere ? "running" : there.State().ToString())} on {target}, {mine.Describe()}.");
        if (there is not null)
            return OperationLookup.Unknown($"{plan.VmName} is on {target} ({there.State()}), but without a mark of this request ({markThere?.Describe() ?? "no mark at all"}): something else moved it.");
        if (here is not null)
            return OperationLookup.Unknown($"{plan.VmName} is defined on {source} but not running ({here.State()}), and {target} has no domain with its UUID; the portal cannot tell whether a transfer started.");
        return OperationLookup.Unknown($"{plan.VmName} is on neither {source} nor {target}.");
    }

    private OperationLookup FindBlockCopy(MigrationPlan plan, DateTimeOffset startedAfter, LibvirtSession session)
    {
        var hostUri = plan.SourceHostId ?? session.HostUris[0];
        var host = session.Connect(hostUri);
        var hostname = session.Hostname(hostUri);
        var poolName = PoolName(plan.Target);
        using var domain = host.FindDomain(plan.VmExternalId);
        if (domain is null) return OperationLookup.Unknown($"{plan.VmName} is not on {hostname}, where its storage move would run.");
        var mark = TransferMark.ReadFrom(domain);
        var mine = mark is not null && mark.IsOf(plan.RequestId, startedAfter) ? mark : null;
        var disks = DomainDescription.Parse(domain.Xml()).FileDisks.ToList();
        var copying = disks.Where(d => domain.BlockJob(d.Target) is not null).Select(d => d.Target).ToList();
        var pool = host.FindPool(poolName, refresh: true);
        var inTarget = pool?.Path is { } path && disks.Count > 0 && disks.All(d => Path.GetDirectoryName(d.Source) == path);

        if (mine is null)
        {
            if (copying.Count > 0)
                return OperationLookup.Unknown($"{hostname} runs a block job on {string.Join(", ", copying)} of {plan.VmName} that this request did not start ({mark?.Describe() ?? "no mark"}).");
            if (inTarget)
                return OperationLookup.Unknown($"The disks of {plan.VmName} are already in pool {poolName} on {hostname}, but without a mark of this request: something else moved them.");
            return OperationLookup.NotFound($"No storage move of {plan.VmName} started: no block job on {hostname}, its disks are still outside pool {poolName}, "
                + $"and the domain carries no mark of this request ({mark?.Describe() ?? "no mark at all"}).");
        }

        if (copying.Count > 0) return OperationLookup.Found(mine.OperationId, $"{hostname} runs this request's block copy of {string.Join(", ", copying)} into pool {poolName}, {mine.Describe()}.");
        if (inTarget) return OperationLookup.Found(mine.OperationId, $"The disks of {plan.VmName} are in pool {poolName} on {hostname}, {mine.Describe()}.");
        if (_jobs.Find(mine.OperationId) is not null)
            return OperationLookup.Found(mine.OperationId, $"This portal process started the block copy of {plan.VmName} and holds its result; {mine.Describe()}.");
        // A block copy libvirt began creates its file in the target pool; none of them there means the start never reached libvirt.
        var created = mine.Creates.Where(path => host.FindVolume(path) is not null).ToList();
        if (created.Count > 0)
            return OperationLookup.Found(mine.OperationId, $"This request's block copy of {plan.VmName} into pool {poolName} began (libvirt created {string.Join(", ", created)}) and is no longer running; {mine.Describe()}.");
        return mine.Creates.Count > 0
            ? OperationLookup.NotFound($"The start of this request's storage move was interrupted before libvirt began it: no block job on {hostname} and no copy in pool {poolName} ({mine.Describe()}).")
            : OperationLookup.Unknown($"No block job on {hostname} and the disks of {plan.VmName} are outside pool {poolName}, but this request's copy was marked ({mine.Describe()}); the portal cannot tell whether it began.");
    }
}
