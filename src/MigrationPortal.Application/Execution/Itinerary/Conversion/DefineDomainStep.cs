using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Defines the converted domain from the described source VM, the maps and KeepIdentity (MACs and BIOS UUID kept, or new
/// ones). Its name, UUID and host are saved before the call; a run that finds them saved asks the destination, and a
/// domain of that name already there is the one this request defined (the precheck found the name free), so it is never
/// defined twice.
/// </summary>
public sealed class DefineDomainStep : IItineraryStep
{
    public string Name => ItinerarySteps.DefineDomain;

    public StepStage Stage => StepStage.Completion;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public Task<StepOutcome> RunAsync(StepContext context) => DefineAsync(context);

    public Task<StepOutcome> ReconcileAsync(StepContext context) => DefineAsync(context);

    public static ConvertedDomainSpec SpecFor(MigrationPlan plan, ConversionSettings settings, ConvertibleVm vm, IReadOnlyList<VolumeRef> volumes)
    {
        var nics = vm.Nics.Select(n => settings.NetworkFor(n.NetworkName) is { } map
                ? new ConvertedNic(settings.KeepIdentity ? n.MacAddress : null, map.TargetKind, map.TargetName)
                : throw new ConnectorException("Unmapped", $"{n.Label} is on network '{n.NetworkName}', which the network map does not map."))
            .ToList();
        return new ConvertedDomainSpec(vm.Name, settings.KeepIdentity ? vm.BiosUuid : null, vm.Cpus, vm.MemoryMb, vm.Firmware, volumes, nics,
            plan.RequestId, $"{vm.Name} ({vm.ExternalId}) on connection '{plan.Source.Name}'");
    }

    private async Task<StepOutcome> DefineAsync(StepContext context)
    {
        var ct = context.Cancellation;
        var plan = context.Plan;
        var destination = context.Target();
        if (await context.DataAsync<DomainRecord>(Name) is { } saved)
        {
            var clash = await destination.FindClashAsync(plan, saved.Name, saved.Uuid, ct);
            if (clash.ByName is not null)
            {
                await context.Journal.AuditAsync("reconcile", $"Domain '{saved.Name}' is already defined on {saved.HostId} ({clash.ByName}) by this request; not defined again.", ct);
                return StepOutcome.Succeeded($"Domain '{saved.Name}' was defined before the interruption.");
            }
        }

        var vm = await context.DescribeAsync();
        var volumes = (await context.DataAsync<VolumesRecord>(ItinerarySteps.CopyDisks))?.Volumes
            ?? throw new InvalidOperationException("define-domain ran before copy-disks recorded its volumes.");
        var spec = SpecFor(plan, context.Settings(), vm, volumes);
        var record = new DomainRecord(spec.Name, spec.Uuid, plan.Target.HostId ?? "");
        // Saved before the call, so a node that dies after libvirt defined it leaves the name to look for (and to remove).
        await context.Journal.SaveStepDataAsync(Name, record, $"Defining domain '{record.Name}' (UUID {record.Uuid ?? "new"}) on {record.HostId}.", ct);
        await destination.DefineDomainAsync(plan, spec, ct);
        var summary = $"Domain '{spec.Name}' defined: {spec.Cpus} vCPU, {spec.MemoryMb} MiB, {spec.Firmware}, {spec.Disks.Count} disk(s), {spec.Nics.Count} NIC(s), " +
                      (plan.Conversion?.KeepIdentity == true ? "MACs and UUID kept." : "new MACs and UUID.");
        await context.Journal.AuditAsync(Name, summary, ct);
        return StepOutcome.Succeeded(summary);
    }
}
