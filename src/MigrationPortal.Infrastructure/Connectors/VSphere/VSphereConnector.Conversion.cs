using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// The connector as the source of a conversion to another hypervisor (<see cref="IConversionSource"/>): it describes the
/// VM, shuts it down (guest first, then power off), exports it through ExportVm's HttpNfcLease (flat disks read as raw
/// bytes from the datastore's /folder service, others as the lease's VMDKs), and afterwards powers it on again or
/// annotates it. The VM itself is never written, except for that annotation.
/// </summary>
public sealed partial class VSphereConnector
{
    public async Task<ConvertibleVm> DescribeForConversionAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var (vm, disks) = await ReadConvertibleAsync(client, plan, ct);
        var portgroupKeys = VSphereConvertibleVm.PortgroupKeys(vm).ToList();
        var portgroups = portgroupKeys.Count == 0 ? []
            : (await client.RetrieveObjectsAsync(portgroupKeys.Select(k => new MoRef("DistributedVirtualPortgroup", k)).ToList(), ["name"], ct))
                .ToDictionary(p => p.Key.Value, p => p.Value.String("name") ?? p.Key.Value);
        return VSphereConvertibleVm.Read(vm, disks, portgroups);
    }

    public async Task<ShutdownResult> ShutDownAsync(MigrationPlan plan, TimeSpan timeout, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vmRef = VmRef(plan);
        var vm = await client.RetrieveObjectAsync(vmRef, ["runtime.powerState", "guest.toolsRunningStatus"], ct);
        var power = vm.String("runtime.powerState");
        switch (VSpherePowerStates.ToPortal(power))
        {
            case PowerState.Off:
                return new ShutdownResult(true, $"{plan.VmName} was already powered off; nothing was done.");
            case PowerState.Suspended:
                // PowerOffVM_Task on a suspended VM throws its saved memory away: that is the owner's call, not the portal's.
                throw new VimFaultException("InvalidPowerState",
                    $"{plan.VmName} is suspended; powering it off would discard its suspended state. Resume it or power it off in vCenter first.");
        }

        string why;
        if (vm.String("guest.toolsRunningStatus") == "guestToolsRunning")
        {
            try
            {
                await client.InvokeAsync("ShutdownGuest", vmRef, ct);
                var started = time.GetTimestamp();
                while (true)
                {
                    var state = (await client.RetrieveObjectAsync(vmRef, ["runtime.powerState"], ct)).String("runtime.powerState");
                    if (VSpherePowerStates.ToPortal(state) == PowerState.Off)
                        return new ShutdownResult(true, $"The guest of {plan.VmName} shut down when asked (ShutdownGuest), after {FormatSeconds(time.GetElapsedTime(started))}.");
                    var left = timeout - time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero) break;
                    await Task.Delay(left < _options.TaskPollInterval ? left : _options.TaskPollInterval, time, ct);
                }

                why = $"the guest did not shut down within {FormatSeconds(timeout)} of ShutdownGuest";
            }
            catch (VimFaultException e) when (e.FaultType is "ToolsUnavailable" or "InvalidState" or "InvalidPowerState" or "NotSupported" or "TaskInProgress")
            {
                why = $"vCenter refused ShutdownGuest ({e.FaultType}: {e.Message})";
            }
        }
        else
        {
            why = $"VMware Tools are not running in the guest ({vm.String("guest.toolsRunningStatus") ?? "status unknown"}), so it cannot be asked to shut down";
        }

        logger.LogInformation("Powering off {Vm}: {Reason}.", plan.VmName, why);
        try
        {
            await client.RunTaskAsync("PowerOffVM_Task", vmRef, ct);
        }
        catch (VimFaultException e) when (e.Is("InvalidPowerState"))
        {
            // The guest finished shutting down between the last look and the power-off.
            if (VSpherePowerStates.ToPortal((await client.RetrieveObjectAsync(vmRef, ["runtime.powerState"], ct)).String("runtime.powerState")) != PowerState.Off) throw;
            return new ShutdownResult(true, $"The guest of {plan.VmName} shut down just as it was to be powered off ({why}).");
        }

        return new ShutdownResult(false, $"{plan.VmName} was powered off (PowerOffVM_Task) because {why}.");
    }

    public async Task PowerOnAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vmRef = VmRef(plan);
        if (VSpherePowerStates.ToPortal((await client.RetrieveObjectAsync(vmRef, ["runtime.powerState"], ct)).String("runtime.powerState")) == PowerState.On) return;
        try
        {
            await client.RunTaskAsync("PowerOnVM_Task", vmRef, ct);
        }
        catch (VimFaultException e) when (e.Is("InvalidPowerState"))
        {
            // Someone powered it on meanwhile: the goal is met.
            if (VSpherePowerStates.ToPortal((await client.RetrieveObjectAsync(vmRef, ["runtime.powerState"], ct)).String("runtime.powerState")) != PowerState.On) throw;
        }
    }

    public async Task AnnotateAsync(MigrationPlan plan, string note, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var vmRef = VmRef(plan);
        var existing = (await client.RetrieveObjectAsync(vmRef, ["config.annotation"], ct)).String("config.annotation") ?? "";
        // A step run again after a crash finds its note already there and adds it only once.
        if (existing.Contains(note, StringComparison.Ordinal)) return;
        var annotation = existing.Length == 0 ? note : existing + "\n" + note;
        await client.RunTaskAsync("ReconfigVM_Task", vmRef, ct, Vim.E("spec", Vim.E("annotation", annotation)));
    }

    public async Task<IDiskExport> BeginExportAsync(MigrationPlan plan, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var (vm, disks) = await ReadConvertibleAsync(client, plan, ct);
        var response = await client.InvokeAsync("ExportVm", VmRef(plan), ct);
        var lease = MoRef.Parse(response.Child("returnval") ?? throw new VimFaultException("InvalidResponse", $"vCenter {client.Authority} returned no lease for ExportVm of {plan.VmName}."));
        try
        {
            var info = await VSphereDiskExport.WaitReadyAsync(client, lease, plan.VmName, _options.LeaseReadyTimeout, _options.TaskPollInterval, time, ct);
            var sources = await VSphereDiskExport.PlanDisksAsync(client, vm, disks, info, ct);
            logger.LogInformation("Export lease {Lease} of {Vm} is ready: {Disks}.", lease.Value, plan.VmName, string.Join(", ", sources.Select(s => $"{s.Disk.Label} ({s.Disk.Format})")));
            return new VSphereDiskExport(client, lease, plan.VmName, sources, _options.LeaseProgressInterval, time, logger);
        }
        catch (Exception e)
        {
            // Also on cancellation: a lease left open holds the VM (no power-on, no reconfigure) until vCenter times it out.
            await VSphereDiskExport.AbortQuietlyAsync(client, lease, $"MigrationPortal could not start reading the export of {plan.VmName}: {e.Message}", logger);
            throw;
        }
    }

    public async Task<IDiskExport?> ResumeExportAsync(MigrationPlan plan, string exportId, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var lease = new MoRef("HttpNfcLease", exportId);
        VimObject state;
        try
        {
            state = await client.RetrieveObjectAsync(lease, ["state", "info"], ct);
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            logger.LogInformation("Export lease {Lease} of {Vm} no longer exists in vCenter; it cannot be resumed.", exportId, plan.VmName);
            return null;
        }

        if (state.String("state") != "ready" || state.Get("info") is not { } info)
        {
            logger.LogInformation("Export lease {Lease} of {Vm} is {State}; it cannot be resumed.", exportId, plan.VmName, state.String("state") ?? "in no known state");
            return null;
        }

        var (vm, disks) = await ReadConvertibleAsync(client, plan, ct);
        var sources = await VSphereDiskExport.PlanDisksAsync(client, vm, disks, info, ct);
        return new VSphereDiskExport(client, lease, plan.VmName, sources, _options.LeaseProgressInterval, time, logger);
    }

    public async Task<string> AbortExportAsync(MigrationPlan plan, string exportId, string reason, CancellationToken ct)
    {
        var client = await ClientAsync(plan.Source, ct);
        var lease = new MoRef("HttpNfcLease", exportId);
        string? before;
        try
        {
            before = (await client.RetrieveObjectAsync(lease, ["state"], ct)).String("state");
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            return $"Export lease {exportId} of {plan.VmName} no longer exists in vCenter {client.Authority} (it was completed, aborted or timed out); nothing to abort.";
        }

        if (before is "done" or "error")
            return $"Export lease {exportId} of {plan.VmName} had already ended in vCenter {client.Authority} (state {before}); nothing to abort.";
        try
        {
            await client.InvokeAsync("HttpNfcLeaseAbort", lease, ct, VSphereDiskExport.AbortFault(reason));
        }
        catch (VimFaultException e) when (e.FaultType is "ManagedObjectNotFound" or "InvalidState")
        {
            return $"Export lease {exportId} of {plan.VmName} ended in vCenter {client.Authority} before it could be aborted ({e.FaultType}); nothing left to abort.";
        }

        return $"Export lease {exportId} of {plan.VmName} aborted in vCenter {client.Authority} (it was {before ?? "in an unknown state"}): {reason}";
    }

    private static async Task<(VimObject Vm, IReadOnlyList<VSphereConvertibleVm.DiskDevice> Disks)> ReadConvertibleAsync(VimClient client, MigrationPlan plan, CancellationToken ct)
    {
        var vm = await client.RetrieveObjectAsync(VmRef(plan), VSphereConvertibleVm.Paths, ct);
        var stores = vm.Get("config.hardware.device")?.Descendants(Vim.Ns + "datastore").Where(d => d.Value.Length > 0).Select(MoRef.Parse).Distinct().ToList() ?? [];
        var names = await client.RetrieveObjectsAsync(stores, ["name"], ct);
        return (vm, VSphereConvertibleVm.Disks(vm, r => names.GetValueOrDefault(r)?.String("name")));
    }

    private static string FormatSeconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
