namespace MigrationPortal.Web.Components.Wizard;

/// <summary>The request wizard's steps, in the order it shows them.</summary>
public enum WizardStep
{
    Vms,
    Kind,
    Target,
    Schedule,
    Justification,
    Review,
}

public static class WizardSteps
{
    public static readonly WizardStep[] All = Enum.GetValues<WizardStep>();

    public static string Title(this WizardStep step) => step switch
    {
        WizardStep.Vms => "VMs",
        WizardStep.Kind => "Kind",
        WizardStep.Target => "Target",
        WizardStep.Schedule => "Schedule",
        WizardStep.Justification => "Justification",
        _ => "Review",
    };

    /// <summary>The step that shows a field, so a server-side error on it sends the user back there.</summary>
    public static WizardStep StepOf(string field) => field.Split('@')[0] switch
    {
        "VmId" => WizardStep.Vms,
        "Kind" or "Live" => WizardStep.Kind,
        "TargetHostId" or "TargetDatastoreId" or "TargetConnectionId" or "NetworkMapId" or "StorageMapId" or "KeepIdentity" or "AfterSuccess" => WizardStep.Target,
        "NotBefore" or "ScheduleMode" or "WindowId" => WizardStep.Schedule,
        "Justification" => WizardStep.Justification,
        _ => WizardStep.Review,
    };
}
