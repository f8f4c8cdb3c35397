using System.Globalization;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Components.Wizard;

/// <summary>
/// The request being drafted in the wizard: what the user has entered so far, the field errors shown beside the inputs,
/// and each step's own checks. The server checks everything again on submit; its field errors land in <see cref="Errors"/> too.
/// </summary>
public sealed class RequestDraft
{
    public IReadOnlyCollection<Guid> SelectedVms { get; set; } = [];
    public MigrationKind Kind { get; set; } = MigrationKind.Compute;
    public bool Live { get; set; } = true;

    /// <summary>A conversion's host on the destination connection (the same for every VM); a VM without its own row's target uses it too.</summary>
    public string? TargetHostId { get; set; }

    public string? TargetDatastoreId { get; set; }

    /// <summary>
    /// Each VM's own target (the mapping table's rows, as in MTV and HCX), proposed from that VM's own cluster when the
    /// target step opens. A compute/storage move takes its VM's row; a conversion takes the shared fields above.
    /// </summary>
    public Dictionary<Guid, VmTarget> Targets { get; } = [];

    /// <summary>Where each chosen VM can go (its row's choices), loaded when the target step opens.</summary>
    public IReadOnlyList<VmTargetChoices> Placements { get; set; } = [];

    // A VMware → KVM conversion's choices: the destination connection (its host is TargetHostId), the maps (null: the
    // pair's only map is inherited), and the options, both on their safe defaults.
    public Guid? TargetConnectionId { get; set; }
    public Guid? NetworkMapId { get; set; }
    public Guid? StorageMapId { get; set; }
    public bool KeepIdentity { get; set; } = true;
    public SourceAfterConversion AfterSuccess { get; set; } = SourceAfterConversion.KeepOffAndAnnotate;

    public bool Converting => Kind == MigrationKind.CrossPlatform;
    public ScheduleMode ScheduleMode { get; set; } = ScheduleMode.AsSoonAsApproved;
    public string? NotBeforeText { get; set; }

    /// <summary>The start date and time from the pickers, in <see cref="Zone"/> (the user's zone); they win over <see cref="NotBeforeText"/>.</summary>
    public DateTime? NotBeforeDate { get; set; }

    public TimeSpan? NotBeforeTime { get; set; }

    /// <summary>The zone the pickers' date and time are in: the browser's, once known (UTC until then).</summary>
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;
    public Guid? WindowId { get; set; }
    public bool TakeSnapshot { get; set; } = true;
    public bool RequireEncryption { get; set; } = true;
    public string? Justification { get; set; }
    public bool AcceptWarnings { get; set; }

    /// <summary>Field name to message, shown beside the field.</summary>
    public Dictionary<string, string> Errors { get; } = [];

    public bool HasError(string field) => Errors.ContainsKey(field);

    public string? ErrorFor(string field) => Errors.GetValueOrDefault(field);

    /// <summary>Checks the fields a step shows; false (with messages in <see cref="Errors"/>) when the step may not be left forward.</summary>
    public bool Check(WizardStep step, DateTimeOffset now, TargetOptions? targets = null)
    {
        Errors.Clear();
        switch (step)
        {
            case WizardStep.Vms when SelectedVms.Count == 0:
                Errors["VmId"] = "Choose at least one VM.";
                break;
            case WizardStep.Target when Converting:
                CheckConversion(targets);
                break;
            case WizardStep.Target:
                foreach (var vm in SelectedVms) CheckRow(vm);
                break;
            case WizardStep.Schedule when ScheduleMode == ScheduleMode.ChosenWindow && WindowId is null:
                Errors["WindowId"] = "Choose a window.";
                break;
            case WizardStep.Schedule when ScheduleMode == ScheduleMode.SpecificTime:
                if (ParseNotBefore() is not { } at) Errors["NotBefore"] = "Choose the start date and time.";
                else if (at <= now) Errors["NotBefore"] = "Choose a start time in the future.";
                break;
            case WizardStep.Justification:
                // The same rule as the use case (length and NUL), so the step shows what submitting would refuse.
                var justification = new Validation().Text(Justification, "Justification", TextLimits.Justification, "Say why these VMs must move.");
                if (justification.HasErrors) Errors["Justification"] = string.Join(" ", justification.Errors["Justification"]);
                break;
        }

        return Errors.Count == 0;
    }

    /// <summary>The row key of a per-VM field ("TargetHostId@{vm}"), so its message shows beside that VM's field.</summary>
    public static string RowField(string field, Guid vm) => $"{field}@{vm}";

    /// <summary>A VM's row: its own target, created empty the first time it is asked for.</summary>
    public VmTarget Row(Guid vm) => Targets.TryGetValue(vm, out var row) ? row : Targets[vm] = new VmTarget();

    public VmTargetChoices? PlacementOf(Guid vm) => Placements.FirstOrDefault(p => p.VmId == vm);

    /// <summary>
    /// Takes the VMs' placements and proposes each row's target from that VM's own cluster: a row keeps what the user chose
    /// while it is still valid for the kind, and is proposed afresh otherwise.
    /// </summary>
    public void UsePlacements(IReadOnlyList<VmTargetChoices> placements)
    {
        Placements = placements;
        foreach (var placement in placements) Propose(placement, keepValid: true);
    }

    /// <summary>Proposes every row again (the kind changed, or the user asked for the proposal).</summary>
    public void ProposeAll()
    {
        foreach (var placement in Placements) Propose(placement, keepValid: false);
    }

    private void Propose(VmTargetChoices placement, bool keepValid)
    {
        var row = Row(placement.VmId);
        if (!keepValid || placement.HostProblem(Kind, row.HostId) is not null || (row.HostId is null && Kind.MovesCompute()) || (!Kind.MovesCompute() && row.HostId is not null))
            row.HostId = placement.ProposeHost(Kind);
        if (!keepValid || !DatastoreOffered(placement, row) || (row.DatastoreId is null && Kind.MovesStorage()) || (!Kind.MovesStorage() && row.DatastoreId is not null))
            row.DatastoreId = placement.ProposeDatastore(Kind, row.HostId);
    }

    /// <summary>A new host mounts other datastores: a datastore it does not mount is replaced by the proposal for it.</summary>
    public void ChooseHost(Guid vm, string? hostId)
    {
        var row = Row(vm);
        row.HostId = hostId;
        Errors.Remove(RowField("TargetHostId", vm));
        if (PlacementOf(vm) is { } placement && Kind.MovesStorage() && !DatastoreOffered(placement, row)) row.DatastoreId = placement.ProposeDatastore(Kind, hostId);
    }

    public void ChooseDatastore(Guid vm, string? datastoreId)
    {
        Row(vm).DatastoreId = datastoreId;
        Errors.Remove(RowField("TargetDatastoreId", vm));
    }

    /// <summary>
    /// "Same for all": every other row takes this row's host and datastore where that VM's connection has them; a row whose
    /// VM is already there says so beside its field at once. Returns the VMs whose connection lacks them (left unchanged).
    /// </summary>
    public IReadOnlyList<string> ApplyToAll(Guid from)
    {
        var source = Row(from);
        var skipped = new List<string>();
        foreach (var placement in Placements.Where(p => p.VmId != from && SelectedVms.Contains(p.VmId)))
        {
            var hostKnown = !Kind.MovesCompute() || placement.Host(source.HostId) is not null;
            var storeKnown = !Kind.MovesStorage() || placement.Datastore(source.DatastoreId) is not null;
            if (!hostKnown || !storeKnown)
            {
                skipped.Add(placement.VmName);
                continue;
            }

            var row = Row(placement.VmId);
            if (Kind.MovesCompute()) row.HostId = source.HostId;
            if (Kind.MovesStorage()) row.DatastoreId = source.DatastoreId;
            Errors.Remove(RowField("TargetHostId", placement.VmId));
            Errors.Remove(RowField("TargetDatastoreId", placement.VmId));
        }

        return skipped;
    }

    /// <summary>
    /// What the row says at once beside the host field: an error when the choice cannot be submitted (the VM already runs
    /// there and only compute moves, or the host cannot take it), a note when it can (compute and storage: only the disks move).
    /// </summary>
    public (string? Error, string? Note) HostNotice(Guid vm)
    {
        var row = Row(vm);
        if (PlacementOf(vm) is not { } placement || !Kind.MovesCompute() || row.HostId is null) return (null, null);
        if (placement.Host(row.HostId) is { IsCurrent: true } host)
            return Kind.MovesStorage() ? (null, $"{placement.VmName} already runs on {host.Name}: only its disks move.") : ($"{placement.VmName} already runs on {host.Name}.", null);
        return (placement.HostProblem(Kind, row.HostId), null);
    }

    /// <summary>The same for the datastore field: the disks already there (an error when only storage moves), or one the host does not mount.</summary>
    public (string? Error, string? Note) DatastoreNotice(Guid vm)
    {
        var row = Row(vm);
        if (PlacementOf(vm) is not { } placement || !Kind.MovesStorage() || row.DatastoreId is null) return (null, null);
        if (placement.Datastore(row.DatastoreId) is not { } store) return ("That datastore is not in this VM's inventory.", null);
        if (!DatastoreOffered(placement, row))
        {
            var host = placement.Host(Kind.MovesCompute() ? row.HostId : placement.CurrentHostId)?.Name ?? "the host";
            return ($"{host} does not mount {store.Name}.", null);
        }

        if (store.IsCurrent)
            return Kind == MigrationKind.Storage ? ($"{placement.VmName}'s disks are already on {store.Name}.", null) : (null, $"{placement.VmName}'s disks are already on {store.Name}: only compute moves.");
        return store.HasRoom ? (null, null) : ($"{store.Name} has {store.FreeGb} GB free; {placement.VmName} needs {store.NeededGb} GB.", null);
    }

    private bool DatastoreOffered(VmTargetChoices placement, VmTarget row) =>
        row.DatastoreId is null || placement.DatastoresFor(Kind, row.HostId).Any(d => d.ExternalId == row.DatastoreId);

    private void CheckRow(Guid vm)
    {
        var row = Row(vm);
        if (Kind.MovesCompute())
        {
            if (string.IsNullOrEmpty(row.HostId)) Errors[RowField("TargetHostId", vm)] = "Choose a target host.";
            else if (HostNotice(vm).Error is { } error) Errors[RowField("TargetHostId", vm)] = error;
        }

        if (Kind.MovesStorage())
        {
            if (string.IsNullOrEmpty(row.DatastoreId)) Errors[RowField("TargetDatastoreId", vm)] = "Choose a target datastore.";
            else if (DatastoreNotice(vm).Error is { } error) Errors[RowField("TargetDatastoreId", vm)] = error;
        }
    }

    /// <summary>Takes a VM out of the batch (at review): its row goes with it.</summary>
    public void Remove(Guid vm)
    {
        SelectedVms = [.. SelectedVms.Where(v => v != vm)];
        Targets.Remove(vm);
    }

    /// <summary>The chosen destination of a conversion, among those the VM's connection can be converted to.</summary>
    public ConversionOption? Destination(TargetOptions? targets) => targets?.Conversions?.FirstOrDefault(c => c.ConnectionId == TargetConnectionId);

    /// <summary>
    /// The maps the request gets, as submission picks them (the chosen one, or the pair's only one), with every problem: the
    /// same rule (<see cref="ConversionChoices.CheckMaps"/>), so the wizard says beside the field what submitting would refuse.
    /// </summary>
    public (NetworkMapOption? Network, StorageMapOption? Storage, Validation Check) Maps(TargetOptions? targets)
    {
        var check = new Validation();
        if (Destination(targets) is not { } destination) return (null, null, check);
        var (network, storage) = ConversionChoices.CheckMaps(targets!.Networks ?? [], ConversionChoices.Names(targets.CurrentDatastores),
            destination.NetworkMaps, destination.StorageMaps, NetworkMapId, StorageMapId, ConversionChoices.Pair(targets.CurrentConnectionName ?? "this VM's connection", destination.Name), check);
        return (network, storage, check);
    }

    private void CheckConversion(TargetOptions? targets)
    {
        if (Destination(targets) is not { } destination)
        {
            Errors["TargetConnectionId"] = "Choose the connection to convert the VM to.";
            return;
        }

        if (string.IsNullOrEmpty(TargetHostId) || destination.Hosts.All(h => h.ExternalId != TargetHostId)) Errors["TargetHostId"] = "Choose a host of the destination connection.";
        foreach (var (field, messages) in Maps(targets).Check.Errors) Errors[field] = string.Join(" ", messages);
    }

    /// <summary>Puts the server's field errors beside their fields; returns the first step that shows one (or <paramref name="current"/>).</summary>
    public WizardStep TakeServerErrors(ValidationFailedException e, WizardStep current, IReadOnlyList<Guid>? submittedVms = null)
    {
        foreach (var (field, messages) in e.Errors)
        {
            var name = field.Contains('.') ? field[(field.LastIndexOf('.') + 1)..] : field;
            Errors[name] = string.Join(" ", messages);
            // A batch's "Items[1].TargetHostId" (or a single request's field) belongs beside that VM's row.
            var vm = ItemIndex(field) is { } i && submittedVms is not null && i < submittedVms.Count ? submittedVms[i]
                : submittedVms is { Count: 1 } ? submittedVms[0] : (Guid?)null;
            if (vm is { } id && name is "TargetHostId" or "TargetDatastoreId") Errors[RowField(name, id)] = Errors[name];
        }

        return Errors.Keys.Select(WizardSteps.StepOf).DefaultIfEmpty(current).Min();
    }

    private static int? ItemIndex(string field) =>
        field.StartsWith("Items[", StringComparison.Ordinal) && field.IndexOf(']') is > 6 and var end
            && int.TryParse(field.AsSpan(6, end - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary>
    /// The start as an instant: the pickers' date and time read in the user's zone (a time the zone skips or repeats
    /// at a clock change is read as the zone's standard offset), else the typed text in UTC.
    /// </summary>
    public DateTimeOffset? ParseNotBefore()
    {
        if (NotBeforeDate is { } date && NotBeforeTime is { } time)
        {
            var local = DateTime.SpecifyKind(date.Date + time, DateTimeKind.Unspecified);
            var offset = Zone.IsInvalidTime(local) || Zone.IsAmbiguousTime(local) ? Zone.BaseUtcOffset : Zone.GetUtcOffset(local);
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        return DateTimeOffset.TryParseExact(NotBeforeText, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>
    /// One submit command per chosen VM; fields the kind or schedule mode does not use are left out (a conversion's snapshot
    /// too: it never writes the source, and the server refuses a snapshot for it).
    /// </summary>
    public List<SubmitRequest.Command> Commands() => SelectedVms.Select(vm => new SubmitRequest.Command(vm, Kind, Converting ? false : Live,
        Kind.MovesCompute() ? HostOf(vm) : null, Kind.MovesStorage() && !Converting ? DatastoreOf(vm) : null, Justification ?? "",
        ScheduleMode, ScheduleMode == ScheduleMode.SpecificTime ? ParseNotBefore() : null, Converting ? null : TakeSnapshot, RequireEncryption,
        WindowId: ScheduleMode == ScheduleMode.ChosenWindow ? WindowId : null,
        TargetConnectionId: Converting ? TargetConnectionId : null, NetworkMapId: Converting ? NetworkMapId : null, StorageMapId: Converting ? StorageMapId : null,
        KeepIdentity: KeepIdentity, AfterSuccess: AfterSuccess)).ToList();

    /// <summary>A VM's target host: a conversion's shared one, else its row's (or the shared field when it has no row).</summary>
    public string? HostOf(Guid vm) => Converting ? TargetHostId : Targets.TryGetValue(vm, out var row) ? row.HostId : TargetHostId;

    public string? DatastoreOf(Guid vm) => Converting ? null : Targets.TryGetValue(vm, out var row) ? row.DatastoreId : TargetDatastoreId;

    public string BatchName => $"{Justification?.Trim()} ({SelectedVms.Count} VMs)";

    /// <summary>
    /// What "safety copy first" means for the chosen VMs' hypervisors, in each kind's own words (a snapshot, a backup copy of
    /// each disk ...); when the chosen VMs' kinds call it differently, each is named.
    /// </summary>
    public string SafetyCopyLabel(IEnumerable<VmView> known, IConnectorKinds kinds)
    {
        // In the registry's order, so the wording does not change with the order the VMs were picked in.
        var chosen = known.Where(v => SelectedVms.Contains(v.Id)).Select(v => v.ConnectionKind).ToHashSet();
        var wordings = kinds.All.Where(k => chosen.Contains(k.Kind)).Select(k => k.SafetyCopy).ToList();
        if (wordings.Count == 0) return "Take a safety copy first";
        var labels = wordings.Select(w => w.SwitchLabel).Distinct().ToList();
        return labels.Count == 1 ? labels[0] : $"Take {string.Join(" or ", wordings.Select(w => w.Noun).Distinct())} first";
    }
}

/// <summary>One VM's row in the wizard's target table.</summary>
public sealed class VmTarget
{
    public string? HostId { get; set; }

    public string? DatastoreId { get; set; }
}
