-- editors/screenshot_init.lua -- the Neovim session of docs/img/lsp-neovim.png
-- (editors/screenshot.sh): the Vim syntax file, the ipsf.lua client, the
-- diagnostics of a pack with an error, and the hover of a fact.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
vim.opt.runtimepath:prepend(here .. '/vim')
vim.opt.runtimepath:prepend(here .. '/nvim')
vim.opt.swapfile = false
vim.opt.number = true
vim.opt.signcolumn = 'yes'
vim.opt.laststatus = 2
vim.cmd('syntax on')
vim.cmd('filetype on')
vim.cmd('hi NormalFloat ctermbg=237 ctermfg=252')
vim.cmd('hi FloatBorder ctermbg=237 ctermfg=245')
require('ipsf').setup({ cmd = { os.getenv('IPSFC') or 'ipsfc', 'lsp' },
                        init_options = { analysisDelayMs = 0 } })
vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].filetype = 'ipsf'
    vim.wait(10000, function() return #vim.diagnostic.get(buf) >= 1 end, 50)
    vim.fn.cursor(1, 1)
    vim.fn.search('when remote')
    vim.fn.search('remote', 'c')
    vim.lsp.buf.hover()
  end,
})
