-- ipsf.lua -- Neovim (0.7 or later) client configuration for `ipsfc lsp`
-- (docs/editors.md).  Put editors/nvim on 'runtimepath' (or copy this file
-- to ~/.config/nvim/lua/ipsf.lua) and call require('ipsf').setup() from
-- init.lua: *.ipsf files get filetype ipsf and the language server.
local M = {}

local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = vim.fn.finddir('.git', dir .. ';')
  return found ~= '' and vim.fn.fnamemodify(found, ':p:h:h') or dir
end

-- Start (or reuse) the server for a buffer; returns the client id.
function M.attach(buf, opts)
  opts = opts or {}
  local root = root_of(vim.api.nvim_buf_get_name(buf))
  M.clients = M.clients or {}
  local id = M.clients[root]
  if not id then
    id = vim.lsp.start_client({
      name = 'ipsfc',
      cmd = opts.cmd or { 'ipsfc', 'lsp' },
      root_dir = root,
      init_options = opts.init_options or { analysisDelayMs = 300 },
      on_attach = opts.on_attach,
    })
    M.clients[root] = id
  end
  vim.lsp.buf_attach_client(buf, id)
  return id
end

function M.setup(opts)
  vim.filetype.add({ extension = { ipsf = 'ipsf' } })
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'ipsf',
    callback = function(args) M.attach(args.buf, opts) end,
  })
  -- Run the pack's tests: failing `expect` lines become diagnostics.
  vim.api.nvim_create_user_command('IpsfTest', function()
    vim.lsp.buf.execute_command({ command = 'ipsfc.runTests',
                                  arguments = { vim.uri_from_bufnr(0) } })
  end, {})
end

return M
