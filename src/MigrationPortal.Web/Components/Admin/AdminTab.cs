using System.Globalization;
using Microsoft.AspNetCore.Components;
using MigrationPortal.Application.Common;
using MudBlazor;

namespace MigrationPortal.Web.Components.Admin;

/// <summary>A message for the administration page's banner, above the tabs.</summary>
public sealed record AdminNotice(string Message, Severity Severity);

/// <summary>
/// Base for the administration page's tabs: each loads and saves its own part, shows field errors beside its own fields
/// and sends other outcomes to the page's banner.
/// </summary>
public abstract class AdminTab : PortalPage
{
    /// <summary>Shows a message in the page's banner.</summary>
    [Parameter] public EventCallback<AdminNotice> OnNotice { get; set; }

    /// <summary>Confirms a save where the user is looking, as well as in the banner.</summary>
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    private Dictionary<string, string> _errors = [];

    protected override Task OnInitializedAsync() => LoadAsync();

    /// <summary>Loads (or reloads, after a save) what the tab shows.</summary>
    protected abstract Task LoadAsync();

    protected bool Has(string field) => _errors.ContainsKey(field);

    protected string? Err(string field) => _errors.GetValueOrDefault(field);

    protected Task NotifyAsync(string message, Severity severity) => OnNotice.InvokeAsync(new AdminNotice(message, severity));

    /// <summary>The form field an error key belongs to: a list's field for its items ("Owners[2].Principal": Owners).</summary>
    private static string FieldOf(string key) =>
        key.Contains('[') ? key[..key.IndexOf('[')] : key.Contains('.') ? key[(key.LastIndexOf('.') + 1)..] : key;

    /// <summary>Runs an admin action; field errors land beside their fields, other problems in the banner.</summary>
    protected async Task RunAsync(Func<Task> action, string done)
    {
        _errors = [];
        try
        {
            await action();
            Snackbar.Add(done, Severity.Success);
            await NotifyAsync(done, Severity.Success);
            await LoadAsync();
        }
        catch (ValidationFailedException e)
        {
            // "Owners[2].Principal" goes beside Owners' field, "Groups[0]" beside Groups'. Rules are edited as a list with no
            // field per rule, so their problems are named in the banner, by rule number.
            _errors = e.Errors.GroupBy(x => FieldOf(x.Key)).ToDictionary(g => g.Key, g => string.Join(" ", g.SelectMany(x => x.Value)));
            var rules = e.Errors.Where(x => x.Key.StartsWith("Rules[", StringComparison.Ordinal))
                .Select(x => $"Rule {int.Parse(x.Key[6..x.Key.IndexOf(']')], CultureInfo.InvariantCulture) + 1}: {string.Join(" ", x.Value)}");
            await NotifyAsync(string.Join(" ", rules.Prepend("Some fields need attention.")), Severity.Warning);
        }
        catch (Exception e) when (e is ForbiddenException or NotFoundException or ConflictException)
        {
            await NotifyAsync(e.Message, Severity.Error);
        }
    }
}
