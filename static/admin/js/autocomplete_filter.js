'use strict';
// The change list's autocomplete filters (core.admin.AutocompleteFilter): choosing a record in
// the select2 box, or clearing it, opens the list filtered by it. The address starts from the
// filter's "All" link (the list as it is, without this filter and on its first page), so the
// other filters and the search stay. A file of its own: the site's policy runs no inline script.
{
    const $ = django.jQuery;

    $(function() {
        $('select.autocomplete-filter').on('change', function() {
            const box = this.closest('.autocomplete-filter-box');
            const url = new URL(box.dataset.clear, window.location.href);
            if (this.value) {
                url.searchParams.set(this.dataset.lookup, this.value);
            }
            window.location.assign(url.toString());
        });
    });
}
