using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// What a conversion's steps hand to each other within one run and cannot put in the database: the open export (its lease
/// is kept alive by the object itself) and the source VM as described. A resumed run starts with neither and finds them
/// again from the step data (<see cref="ConversionStepData"/>).
/// </summary>
public sealed class ConversionRun
{
    /// <summary>The export the export step opened, until copy-disks completes it or a failure aborts it.</summary>
    public IDiskExport? Export { get; set; }

    public ConvertibleVm? Vm { get; set; }
}
