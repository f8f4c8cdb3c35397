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
    public string? TargetHostId { get; set; }
    public string? TargetDatastoreId { get; set; }

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
                if (Kind.MovesCompute() && string.IsNullOrEmpty(TargetHostId)) Errors["TargetHostId"] = "Choose a target host.";
                if (Kind.MovesStorage() && string.IsNullOrEmpty(TargetDatastoreId)) Errors["TargetDatastoreId"] = "Choose a target datastore.";
                break;
            case WizardStep.Schedule when ScheduleMode == ScheduleMode.ChosenWindow && WindowId is null:
                Errors["WindowId"] = "Choose a window.";
                break;
            case WizardStep.Schedule when ScheduleMode == ScheduleMode.SpecificTime:
                if (ParseNotBefore() is not { } at) Errors["NotBefore"] = "Give the start time as yyyy-MM-dd HH:mm (UTC).";
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
    public WizardStep TakeServerErrors(ValidationFailedException e, WizardStep current)
    {
        foreach (var (field, messages) in e.Errors) Errors[field.Contains('.') ? field[(field.LastIndexOf('.') + 1)..] : field] = string.Join(" ", messages);
        return Errors.Keys.Select(WizardSteps.StepOf).DefaultIfEmpty(current).Min();
    }

    public DateTimeOffset? ParseNotBefore() =>
        DateTimeOffset.TryParseExact(NotBeforeText, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>
    /// One submit command per chosen VM; fields the kind or schedule mode does not use are left out (a conversion's snapshot
    /// too: it never writes the source, and the server refuses a snapshot for it).
    /// </summary>
    public List<SubmitRequest.Command> Commands() => SelectedVms.Select(vm => new SubmitRequest.Command(vm, Kind, Converting ? false : Live,
        Kind.MovesCompute() ? TargetHostId : null, Kind.MovesStorage() && !Converting ? TargetDatastoreId : null, Justification ?? "",
        ScheduleMode, ScheduleMode == ScheduleMode.SpecificTime ? ParseNotBefore() : null, Converting ? null : TakeSnapshot, RequireEncryption,
        WindowId: ScheduleMode == ScheduleMode.ChosenWindow ? WindowId : null,
        TargetConnectionId: Converting ? TargetConnectionId : null, NetworkMapId: Converting ? NetworkMapId : null, StorageMapId: Converting ? StorageMapId : null,
        KeepIdentity: KeepIdentity, AfterSuccess: AfterSuccess)).ToList();

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
