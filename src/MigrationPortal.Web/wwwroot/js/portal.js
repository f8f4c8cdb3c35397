// The portal's few browser helpers, served from 'self' (the Content-Security-Policy allows no inline script).

// The light/dark choice, remembered in this browser per user name. No entry means "follow the operating system".
window.portalTheme = {
    key: user => 'migrationportal.theme:' + (user || ''),
    get: user => {
        try { return localStorage.getItem(window.portalTheme.key(user)); } catch { return null; }
    },
    set: (user, value) => {
        try {
            if (value) localStorage.setItem(window.portalTheme.key(user), value);
            else localStorage.removeItem(window.portalTheme.key(user));
        } catch { /* storage off (private mode): the choice lasts for this page only */ }
    },
};

// The reconnect message's buttons (App.razor): retry now, or resume a paused circuit; a reload when that fails.
document.addEventListener('click', async event => {
    const button = event.target instanceof Element ? event.target.closest('[data-reconnect]') : null;
    if (!button || !window.Blazor) return;
    const ok = button.dataset.reconnect === 'resume' ? await window.Blazor.resumeCircuit() : await window.Blazor.reconnect();
    if (!ok) location.reload();
});

// The browser's IANA time zone ("Europe/Berlin"), so pages show times in the user's own zone beside UTC.
window.portalTimeZone = () => {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch { return null; }
};

// The notification bell's menu closes on Escape wherever focus is (its items live in MudBlazor's popover layer, outside
// the bell), and focus returns to the bell, as the WAI-ARIA menu button pattern asks. One listener per page.
window.portalBell = {
    watch: bell => {
        if (window.portalBell.listener) document.removeEventListener('keydown', window.portalBell.listener);
        window.portalBell.listener = async event => {
            if (event.key !== 'Escape' || !document.querySelector('.mud-popover-open [data-testid^=bell-]')) return;
            if (await bell.invokeMethodAsync('CloseOnEscape')) document.querySelector('[data-testid=bell] button')?.focus();
        };
        document.addEventListener('keydown', window.portalBell.listener);
    },
};
