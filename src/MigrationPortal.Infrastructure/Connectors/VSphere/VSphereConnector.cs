using System.Globalization;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// vCenter through vim25 SOAP: inventory from one property collection, prechecks read live from vCenter, and the
/// itinerary as vCenter tasks (CreateSnapshot_Task, ReconfigVM_Task for migrateEncryption, RelocateVM_Task, RemoveSnapshot_Task).
/// One session per connection for the life of the DI scope (a migration job), signed out when the scope ends.
/// </summary>
public sealed partial class VSphereConnector(IOptions<VSphereOptions> options, TimeProvider time, ILogger<VSphereConnector> logger) : IHypervisorConnector, IConversionSource, IAsyncDisposable
{
    private const double BytesPerGb = 1024d * 1024 * 1024;

    private static readonly string[] VmPaths = ["name", "runtime.host", "runtime.powerState", "resourcePool", "datastore", "network",
        "summary.storage.committed", "summary.storage.uncommitted", "snapshot", "config.migrateEncryption", "config.files.vmPathName", "config.hardware.device"];

    private static readonly string[] HostPaths = ["name", "parent", "runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode", "datastore", "network"];

    private static readonly string[] DatastorePaths = ["name", "summary.freeSpace", "summary.capacity", "summary.accessible", "host"];

    private readonly Dictionary<Guid, VimClient> _clients = [];
    private readonly SemaphoreSlim _clientsLock = new(1, 1);
    private readonly VSphereOptions _options = options.Value;

    public string Kind => ConnectionKinds.VSphere;

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct)
    {
        var certificates = new VimCertificatePolicy(connection.PinnedThumbprint, connection.CaCertificatePem);
        try
        {
            await using var client = await VimClient.ConnectAsync(connection, _options, logger, ct, certificates);
            var content = client.Content;
            var user = string.IsNullOrEmpty(connection.Username) ? "no user (service content only)" : connection.Username;
            return new ConnectionTestResult(true,
                $"Signed in to {content.FullName} (API {content.ApiVersion}) as {user}. Certificate SHA-256: {certificates.PresentedThumbprint}.",
                certificates.PresentedThumbprint);
        }
        catch (ConnectorException e)
        {
            // The thumbprint is shown even when the certificate is refused, so the administrator can compare and pin it.
            return new ConnectionTestResult(false, $"{e.FaultType}: {e.Message}", certificates.PresentedThumbprint);
        }
    }

    public async Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct)
    {
        var client = await ClientAsync(connection, ct);
        return await VSphereInventoryReader.ReadAsync(client, _options.ApplicationAttribute, _options.ApplicationTagCategory, _options.InventoryPageSize, ct);
    }

    public async Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var findings = new List<PrecheckFinding>();
        VimObject vm;
        try
        {
            vm = await client.RetrieveObjectAsync(VmRef(plan), VmPaths, ct);
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            return [new(FindingSeverity.Critical, "vm-missing", $"vCenter no longer has VM '{plan.VmName}' ({plan.VmExternalId}).")];
        }

        var sourceHostRef = vm.RefOf("runtime.host");
        var targetHostRef = plan.Kind.MovesCompute() && plan.Target.HostId is { } th ? new MoRef("HostSystem", th) : sourceHostRef;
        var targetDatastoreRef = plan.Kind.MovesStorage() && plan.Target.DatastoreId is { } td ? new MoRef("Datastore", td) : (MoRef?)null;
        var hostRefs = new[] { sourceHostRef, targetHostRef }.OfType<MoRef>().Distinct().ToList();
        var hosts = await client.RetrieveObjectsAsync(hostRefs, HostPaths, ct);
        var datastoreRefs = vm.RefsOf("datastore").Concat(targetDatastoreRef is { } t ? [t] : []).Distinct().ToList();
        var datastores = await client.RetrieveObjectsAsync(datastoreRefs, DatastorePaths, ct);

        if (plan.Live && VSpherePowerStates.ToPortal(vm.String("runtime.powerState")) != PowerState.On)
            findings.Add(new(FindingSeverity.Critical, "vm-powered-off", $"A live move needs the VM powered on; '{vm.String("name")}' is {vm.String("runtime.powerState")}."));

        var targetHost = targetHostRef is { } thr ? hosts.GetValueOrDefault(thr) : null;
        if (targetHost is null)
        {
            findings.Add(new(FindingSeverity.Critical, "host-missing", $"vCenter has no host '{plan.Target.HostName ?? plan.Target.HostId}'."));
        }
        else
        {
            var name = targetHost.String("name");
            if (targetHost.String("runtime.connectionState") is { } cs && cs != "connected")
                findings.Add(new(FindingSeverity.Critical, "host-disconnected", $"Target host {name} is {cs}, not connected."));
            if (targetHost.String("runtime.powerState") is { } ps && VSpherePowerStates.ToPortal(ps) != PowerState.On)
                findings.Add(new(FindingSeverity.Critical, "host-powered-off", $"Target host {name} is {ps}, not powered on."));
            if (targetHost.Bool("runtime.inMaintenanceMode"))
                findings.Add(new(FindingSeverity.Critical, "host-maintenance", $"Target host {name} is in maintenance mode."));
        }

        var sourceHost = sourceHostRef is { } shr ? hosts.GetValueOrDefault(shr) : null;
        if (plan.Kind == MigrationKind.Compute && targetHost is not null && sourceHost is not null
            && targetHost.RefOf("parent") != sourceHost.RefOf("parent"))
        {
            var targetMounts = targetHost.RefsOf("datastore").ToHashSet();
            var unshared = vm.RefsOf("datastore").Where(d => !targetMounts.Contains(d)).Select(d => datastores.GetValueOrDefault(d)?.String("name") ?? d.Value).ToList();
            if (unshared.Count > 0)
                findings.Add(new(FindingSeverity.Critical, "cross-cluster-unshared",
                    $"A compute-only move must stay in the VM's cluster or use datastores the target host shares; {targetHost.String("name")} does not mount {string.Join(", ", unshared)}."));
        }

        if (targetDatastoreRef is { } tdr)
        {
            var datastore = datastores.GetValueOrDefault(tdr);
            if (datastore is null)
            {
                findings.Add(new(FindingSeverity.Critical, "datastore-missing", $"vCenter has no datastore '{plan.Target.DatastoreName ?? tdr.Value}'."));
            }
            else
            {
                var name = datastore.String("name");
                if (datastore.Get("summary.accessible") is not null && !datastore.Bool("summary.accessible"))
                    findings.Add(new(FindingSeverity.Critical, "datastore-inaccessible", $"Datastore {name} is not accessible."));
                var provisioned = vm.Long("summary.storage.committed") + vm.Long("summary.storage.uncommitted");
                var margin = Math.Max(provisioned * _options.FreeSpaceMarginPercent / 100, _options.FreeSpaceMarginGb * BytesPerGb);
                var free = datastore.Long("summary.freeSpace");
                var alreadyThere = vm.RefsOf("datastore").Contains(tdr);
                if (!alreadyThere && free < provisioned + margin)
                    findings.Add(new(FindingSeverity.Critical, "datastore-full",
                        $"Datastore {name} has {Gb(free)} free; the VM needs {Gb(provisioned)} plus a margin of {Gb((long)margin)}."));
                if (targetHost is not null && !targetHost.RefsOf("datastore").Contains(tdr) && !VSphereInventoryReader.MountingHosts(datastore).Contains(targetHost.Ref))
                    findings.Add(new(FindingSeverity.Critical, "datastore-not-mounted", $"Host {targetHost.String("name")} does not mount datastore {name}."));
            }
        }

        if (targetHost is not null && plan.Kind.MovesCompute())
        {
            var targetNetworks = targetHost.RefsOf("network").ToHashSet();
            var missing = vm.RefsOf("network").Where(n => !targetNetworks.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                var networkNames = await client.RetrieveObjectsAsync(missing, ["name"], ct);
                findings.Add(new(FindingSeverity.Critical, "network-missing",
                    $"Host {targetHost.String("name")} lacks the VM's network(s) {string.Join(", ", missing.Select(n => networkNames.GetValueOrDefault(n)?.String("name") ?? n.Value))}."));
            }
        }

        var snapshots = VSphereInventoryReader.CountSnapshots(vm.Get("snapshot"));
        if (snapshots > 0)
            findings.Add(new(FindingSeverity.Warning, "has-snapshots", $"The VM already has {snapshots} snapshot(s); they move with it and lengthen the migration."));
        if (plan.Options.RequireEncryption && !ChangesHost(plan, sourceHostRef))
            findings.Add(new(FindingSeverity.Advisory, "storage-move-not-encrypted",
                "This is a datastore-only move on one host: its data does not cross the vMotion network, so vMotion encryption does not apply to it."));
        return findings;
    }

    public async Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var info = await client.RunTaskAsync("CreateSnapshot_Task", VmRef(plan), ct,
            Vim.E("name", $"migrationportal-{plan.RequestId:N}"),
            Vim.E("description", $"Taken by MigrationPortal before migration request {plan.RequestId}."),
            Vim.E("memory", "false"), Vim.E("quiesce", "false"));
        return info.Result is { } result && result.Value.Length > 0 ? MoRef.Parse(result).Value
            : throw new VimFaultException("InvalidResponse", "vCenter finished CreateSnapshot_Task without naming the snapshot.");
    }

    public async Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct)
    {
        if (!_options.RemoveSnapshotAfterSuccess)
        {
            logger.LogInformation("Snapshot {Snapshot} of {Vm} is kept (VSphere:RemoveSnapshotAfterSuccess is false).", snapshotId, plan.VmName);
            return SnapshotCleanup.Retained(
                $"Snapshot {snapshotId} of {plan.VmName} kept per retention policy (VSphere:RemoveSnapshotAfterSuccess is false); remove it in vCenter when it is no longer needed.");
        }

        var client = await ClientAsync(plan.Source, ct);
        try
        {
            await client.RunTaskAsync("RemoveSnapshot_Task", new MoRef("VirtualMachineSnapshot", snapshotId), ct, Vim.E("removeChildren", "false"), Vim.E("consolidate", "true"));
            return SnapshotCleanup.Removed($"Snapshot {snapshotId} of {plan.VmName} removed (RemoveSnapshot_Task, disks consolidated).");
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            // Already gone (removed by a person, or by an earlier run of this step): the goal is met.
            logger.LogInformation("Snapshot {Snapshot} of {Vm} no longer exists.", snapshotId, plan.VmName);
            return SnapshotCleanup.Removed($"Snapshot {snapshotId} of {plan.VmName} no longer exists in vCenter; nothing left to remove.");
        }
    }

    public async Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vmRef = VmRef(plan);
        var vm = await client.RetrieveObjectAsync(vmRef, ["config.migrateEncryption", "runtime.host"], ct);
        var before = vm.String("config.migrateEncryption") ?? "unset";
        if (before != "required")
        {
            await client.RunTaskAsync("ReconfigVM_Task", vmRef, ct, Vim.E("spec", Vim.E("migrateEncryption", "required")));
            var after = (await client.RetrieveObjectAsync(vmRef, ["config.migrateEncryption"], ct)).String("config.migrateEncryption");
            if (after != "required")
                throw new VimFaultException("EncryptionNotApplied", $"vCenter accepted migrateEncryption=required for {plan.VmName} but reports '{after ?? "unset"}'.");
        }

        var setting = before == "required" ? "migrateEncryption was already required" : $"migrateEncryption set to required (was {before})";
        return ChangesHost(plan, vm.RefOf("runtime.host")) switch
        {
            true when plan.Kind.MovesStorage() =>
                $"Encrypted vMotion: {setting}, so vCenter moves the VM's memory and disk data between the hosts encrypted, or not at all. Reads and writes on the datastores themselves are not covered by vMotion encryption.",
            true => $"Encrypted vMotion: {setting}, so vCenter moves the VM's memory between the hosts encrypted, or not at all.",
            false => $"Not encrypted on the wire: this datastore-only move stays on one host, so its data never crosses the vMotion network and vMotion encryption does not apply; the copy goes through the host's own storage paths. ({setting} for later host moves.)",
        };
    }

    public async Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var spec = await RelocateSpecAsync(client, plan, plan.Kind.MovesCompute() ? plan.Target.HostId : null, plan.Kind.MovesStorage() ? plan.Target.DatastoreId : null, plan.Target.PoolId, ct);
        var task = await client.StartTaskAsync("RelocateVM_Task", VmRef(plan), ct, spec, Vim.E("priority", "defaultPriority"));
        return task.Value;
    }

    public async Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var phase = plan.Kind switch
        {
            MigrationKind.Compute => "vMotion",
            MigrationKind.Storage => "Storage vMotion",
            _ => "vMotion and Storage vMotion",
        };
        var started = time.GetTimestamp();
        var info = await client.WaitForTaskAsync(new MoRef("Task", operationId), async i =>
        {
            if (i.IsFinished && i.State != "success") return;
            var percent = i.State == "success" ? 100 : Math.Clamp(i.Progress, 0, 99);
            var elapsed = time.GetElapsedTime(started);
            TimeSpan? eta = percent > 0 ? elapsed * ((100 - percent) / (double)percent) : null;
            await onProgress(new TransferProgress(i.State == "queued" ? "queued in vCenter" : phase, percent, null, null, eta));
        }, ct);

        if (info.State == "success") return TransferOutcome.Success($"vCenter task {operationId} ({phase}) completed.");
        var error = info.Error;
        if (info.Cancelled || error?.FaultType == "RequestCanceled")
            return new TransferOutcome(TransferResult.Cancelled, $"vCenter cancelled task {operationId} ({error?.FaultType ?? "RequestCanceled"}): {error?.Message ?? "cancelled"}");
        return new TransferOutcome(TransferResult.Failed, $"{error?.FaultType ?? "TaskFailed"}: {error?.Message ?? $"vCenter task {operationId} failed."}");
    }

    public async Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        await client.CancelTaskAsync(new MoRef("Task", operationId), ct);
    }

    public async Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        VimTaskInfo info;
        try
        {
            info = await client.GetTaskInfoAsync(new MoRef("Task", operationId), ct);
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            return new OperationState(OperationStatus.Unknown, $"vCenter no longer knows task {operationId}.");
        }

        return info.State switch
        {
            "success" => new OperationState(OperationStatus.Succeeded, null),
            "error" when info.Cancelled || info.Error?.FaultType == "RequestCanceled" => new OperationState(OperationStatus.Cancelled, info.Error?.Message),
            "error" => new OperationState(OperationStatus.Failed, info.Error is { } e ? $"{e.FaultType}: {e.Message}" : null),
            _ => new OperationState(OperationStatus.Running, $"{info.Progress}% done"),
        };
    }

    /// <summary>
    /// Looks for the RelocateVM_Task (or MigrateVM_Task) of this VM queued since the intent in vCenter's recent tasks; the
    /// ID found is the task's, as <see cref="StartTransferAsync"/> returns it. A history that cannot be read is "unknown",
    /// never "not found": the portal then stops instead of starting a second transfer.
    /// </summary>
    public async Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct)
    {
        var where = $"'{plan.Source.Name}' ({(Uri.TryCreate(plan.Source.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint.Authority : plan.Source.Endpoint)})";
        try
        {
            var client = await ClientAsync(plan.Source, ct);
            var lookup = await VSphereTaskHistory.FindTransferAsync(client, where, VmRef(plan), plan.VmName, startedAfter, _options, time, ct);
            logger.LogInformation("Transfer lookup for {Vm} since {Intent:o}: {Result}. {Message}", plan.VmName, startedAfter, lookup.Result, lookup.Message);
            return lookup;
        }
        catch (ConnectorException e)
        {
            logger.LogWarning("Transfer lookup for {Vm} failed: {Fault}: {Message}", plan.VmName, e.FaultType, e.Message);
            return OperationLookup.Unknown($"vCenter {where} could not be asked for its recent tasks: {e.FaultType}: {e.Message}");
        }
    }

    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) =>
        Task.FromResult(CleanupReport.Removed("vCenter moves a VM's disk files itself and removes the source copies; nothing is left behind."));

    public async Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vm = await client.RetrieveObjectAsync(VmRef(plan), VmPaths, ct);
        var placement = await PlacementAsync(client, vm, ct);
        var problems = new List<string>();
        if (plan.Kind.MovesCompute() && placement.HostId != plan.Target.HostId)
            problems.Add($"runtime.host is {placement.HostName ?? "unset"}, not {plan.Target.HostName ?? plan.Target.HostId}");
        if (plan.Kind.MovesStorage() && plan.Target.DatastoreName is { } store)
        {
            if (placement.Datastores.Count != 1 || placement.Datastores[0] != store)
                problems.Add($"the VM uses datastore(s) {string.Join(", ", placement.Datastores)}, not only {store}");
            var prefix = $"[{store}]";
            var files = DiskFiles(vm).Append(vm.String("config.files.vmPathName") ?? "").Where(f => f.Length > 0).ToList();
            var elsewhere = files.Where(f => !f.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (elsewhere.Count > 0) problems.Add($"file(s) {string.Join(", ", elsewhere)} are not on {store}");
        }

        if (placement.PowerState == PowerState.Unknown) problems.Add("vCenter reports the VM's power state as unknown");
        var where = $"runtime.host {placement.HostName}, datastore(s) {string.Join(", ", placement.Datastores)}, {DiskFiles(vm).Count()} disk(s), power {placement.PowerState}";
        return problems.Count == 0
            ? new VerificationResult(true, $"vCenter reports {where}.", placement)
            : new VerificationResult(false, $"vCenter reports {where}: {string.Join("; ", problems)}.");
    }

    public async Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vm = await client.RetrieveObjectAsync(VmRef(plan), ["runtime.host", "datastore", "runtime.powerState", "config.migrateEncryption"], ct);
        return await PlacementAsync(client, vm, ct);
    }

    /// <summary>
    /// Moves the VM back to the host and datastore(s) it had when the request was planned (an Operator action), with a
    /// new RelocateVM_Task followed to its end; the retained snapshot, if any, is left for the operator to revert or remove.
    /// </summary>
    public async Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vmRef = VmRef(plan);
        var vm = await client.RetrieveObjectAsync(vmRef, ["runtime.host", "datastore"], ct);
        var current = await PlacementAsync(client, vm, ct);
        string? hostId = plan.Kind.MovesCompute() && plan.SourceHostId is { } sh && sh != current.HostId ? sh : null;
        string? datastoreId = null;
        var sourceStores = (plan.SourceDatastoreName ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (plan.Kind.MovesStorage() && sourceStores.Length > 0 && !sourceStores.SequenceEqual(current.Datastores))
            datastoreId = await DatastoreIdByNameAsync(client, sourceStores[0], ct)
                ?? throw new VimFaultException("ManagedObjectNotFound", $"The source datastore {sourceStores[0]} no longer exists in vCenter.");
        if (hostId is null && datastoreId is null)
        {
            if (plan.SnapshotId is { } snapshot)
            {
                try
                {
                    await client.RunTaskAsync("RevertToSnapshot_Task", new MoRef("VirtualMachineSnapshot", snapshot), ct, Vim.E("suppressPowerOn", "false"));
                    return $"The VM is already at its source placement ({current.HostName}); reverted it to the pre-migration snapshot {snapshot}.";
                }
                catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
                {
                    throw new VimFaultException("NothingToRollBack", $"The VM is already at its source placement ({current.HostName}) and its pre-migration snapshot {snapshot} was removed after the migration succeeded.");
                }
            }

            throw new VimFaultException("NothingToRollBack", $"The VM is already at its source placement ({current.HostName}, {string.Join(", ", current.Datastores)}) and has no retained snapshot.");
        }

        var spec = await RelocateSpecAsync(client, plan, hostId, datastoreId, null, ct);
        var info = await client.RunTaskAsync("RelocateVM_Task", vmRef, ct, spec, Vim.E("priority", "defaultPriority"));
        var after = await LocateAsync(plan, ct);
        return $"Moved back with vCenter task {info.State}: now on {after.HostName}, datastore(s) {string.Join(", ", after.Datastores)}.";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values) await client.DisposeAsync();
        _clients.Clear();
        _clientsLock.Dispose();
    }

    /// <summary>The connection's client for this scope, signed in on first use.</summary>
    private async Task<VimClient> ClientAsync(ConnectionInfo connection, CancellationToken ct)
    {
        await _clientsLock.WaitAsync(ct);
        try
        {
            if (_clients.TryGetValue(connection.Id, out var client)) return client;
            client = await VimClient.ConnectAsync(connection, _options, logger, ct);
            _clients[connection.Id] = client;
            return client;
        }
        finally
        {
            _clientsLock.Release();
        }
    }

    private static MoRef VmRef(MigrationPlan plan) => new("VirtualMachine", plan.VmExternalId);

    private static bool ChangesHost(MigrationPlan plan, MoRef? currentHost) =>
        plan.Kind.MovesCompute() && plan.Target.HostId is { } target && target != currentHost?.Value;

    /// <summary>
    /// A VirtualMachineRelocateSpec in the WSDL's element order (datastore, pool, host). A host in another compute resource
    /// needs that resource's root pool, which vCenter does not choose by itself.
    /// </summary>
    private static async Task<XElement> RelocateSpecAsync(VimClient client, MigrationPlan plan, string? hostId, string? datastoreId, string? poolId, CancellationToken ct)
    {
        MoRef? pool = poolId is null ? null : new MoRef("ResourcePool", poolId);
        if (hostId is not null && pool is null)
        {
            var vm = await client.RetrieveObjectAsync(VmRef(plan), ["runtime.host"], ct);
            var hosts = await client.RetrieveObjectsAsync(new[] { vm.RefOf("runtime.host"), new MoRef("HostSystem", hostId) }.OfType<MoRef>().Distinct().ToList(), ["parent"], ct);
            var targetParent = hosts.GetValueOrDefault(new MoRef("HostSystem", hostId))?.RefOf("parent");
            var sourceParent = vm.RefOf("runtime.host") is { } src ? hosts.GetValueOrDefault(src)?.RefOf("parent") : null;
            if (targetParent is { } tp && tp != sourceParent)
                pool = (await client.RetrieveObjectAsync(tp, ["resourcePool"], ct)).RefOf("resourcePool");
        }

        return Vim.E("spec",
            datastoreId is null ? null : new MoRef("Datastore", datastoreId).ToXml("datastore"),
            pool?.ToXml("pool"),
            hostId is null ? null : new MoRef("HostSystem", hostId).ToXml("host"));
    }

    private static async Task<VmPlacement> PlacementAsync(VimClient client, VimObject vm, CancellationToken ct)
    {
        var host = vm.RefOf("runtime.host");
        var stores = vm.RefsOf("datastore");
        var names = await client.RetrieveObjectsAsync(stores.Concat(host is { } h ? [h] : []).ToList(), ["name"], ct);
        return new VmPlacement(host?.Value, host is { } hr ? names.GetValueOrDefault(hr)?.String("name") : null,
            stores.Select(d => names.GetValueOrDefault(d)?.String("name") ?? d.Value).ToList(), VSpherePowerStates.ToPortal(vm.String("runtime.powerState")), vm.String("config.migrateEncryption"));
    }

    private static async Task<string?> DatastoreIdByNameAsync(VimClient client, string name, CancellationToken ct)
    {
        var view = await client.CreateContainerViewAsync(client.Content.RootFolder, ["Datastore"], ct);
        try
        {
            var stores = await client.RetrieveAsync([VimClient.PropSet("Datastore", ["name"])], [VimClient.ContainerViewObjectSet(view)], null, ct);
            return stores.FirstOrDefault(s => s.String("name") == name)?.Ref.Value;
        }
        finally
        {
            await client.DestroyViewAsync(view, ct);
        }
    }

    /// <summary>The backing file of every virtual disk in config.hardware.device.</summary>
    private static IEnumerable<string> DiskFiles(VimObject vm) =>
        vm.Get("config.hardware.device")?.Elements()
            .Where(d => Vim.XsiType(d) == "VirtualDisk")
            .Select(d => d.Child("backing")?.ChildValue("fileName") ?? "")
            .Where(f => f.Length > 0) ?? [];

    private static string Gb(long bytes) => (bytes / BytesPerGb).ToString("0.#", CultureInfo.InvariantCulture) + " GB";
}
