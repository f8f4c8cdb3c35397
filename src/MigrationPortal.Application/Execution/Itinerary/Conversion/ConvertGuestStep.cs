using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Converts the copied guest in place (virt-v2v-in-place on the conversion host) when Conversion:VirtV2v:Enabled; when it
/// is not, the step does not apply and leaves no row. A guest the source describes as neither Linux nor Windows is left as
/// copied, with a recorded "not needed" (virt-v2v cannot convert it). The converter checks the result, so a guest left
/// unbootable (GRUB booting by /dev/sd*) fails here instead of at first boot.
/// </summary>
public sealed class ConvertGuestStep(IOptions<ConversionOptions> options, IServiceProvider services) : IItineraryStep
{
    public string Name => ItinerarySteps.ConvertGuest;

    public StepStage Stage => StepStage.Completion;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform && options.Value.VirtV2v.Enabled;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        // Resolved here, not injected: a portal without a conversion host registers no converter, and the step never runs there.
        var converter = services.GetService<IGuestConverter>()
            ?? throw new ConnectorException("NotConfigured", "Conversion:VirtV2v:Enabled is set, but no guest converter is registered.");
        var volumes = (await context.DataAsync<VolumesRecord>(ItinerarySteps.CopyDisks))?.Volumes
            ?? throw new InvalidOperationException("convert-guest ran before copy-disks recorded its volumes.");
        var vm = await context.DescribeAsync();
        if (!vm.IsLinux && !vm.IsWindows)
        {
            // virt-v2v converts only Linux and Windows guests; it would refuse any other ("inspection could not detect the
            // source guest"). Such a guest boots as copied, and first-boot proves it or rolls back.
            var skipped = $"Not needed: {vm.GuestFullName ?? vm.GuestId} ({vm.GuestId}) is neither Linux nor Windows, which are the guests virt-v2v converts; the disks boot as copied and first-boot decides.";
            await context.Journal.AuditAsync(Name, skipped, context.Cancellation);
            return StepOutcome.Succeeded(skipped);
        }
        var started = context.Journal.Now;
        var result = await converter.ConvertAsync(context.Plan, volumes, context.Cancellation);
        var took = (context.Journal.Now - started).TotalSeconds;
        await context.Journal.AuditAsync(Name, $"{options.Value.VirtV2v.Command} {(result.Succeeded ? "converted" : "failed to convert")} the guest in {took:0.#} s: {result.Message}", context.Cancellation);
        return result.Succeeded ? StepOutcome.Succeeded(result.Message) : StepOutcome.Failed(result.Message, $"The guest conversion failed: {result.Message}");
    }

    // The volumes were made from scratch by copy-disks or not; an in-place conversion run twice on a converted guest is a no-op.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
