" Vim syntax file for IPSF rule packs (docs/language.md, docs/editors.md).
" Put editors/vim on 'runtimepath' (or copy syntax/ and ftdetect/ to ~/.vim).
if exists('b:current_syntax')
  finish
endif

syn keyword ipsfDecl pack version import as facts type let fn scale axis rules viewpoint
syn keyword ipsfDecl requirement test extern catalog provision
syn keyword ipsfKeyword when because otherwise policy if then else applies always confirm
syn keyword ipsfKeyword every month months party doc ref given profile expect requires with
syn keyword ipsfKeyword satisfied_by compensated_by unordered allow nonmonotone
syn keyword ipsfOperatorWord and or not in
syn keyword ipsfType bool int number string enum set of
syn keyword ipsfBoolean true false
syn match ipsfNumber "\<\(0[xX]\x\(_\=\x\)*\|\d\(_\=\d\)*\(\.\d\(_\=\d\)*\)\=\([eE][+-]\=\d\(_\=\d\)*\)\=\)\>"
syn match ipsfOperator "==\|!=\|<=\|>=\|->\|[<>+*/%=-]"
syn match ipsfFunction "\<\h[A-Za-z0-9_.]*\ze\s*("
syn match ipsfEscape contained "\\\([\"\\nrt]\|u{\x\{1,6}}\)"
syn region ipsfString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=ipsfEscape
syn keyword ipsfTodo contained TODO FIXME XXX
syn match ipsfComment "//.*$" contains=ipsfTodo
syn region ipsfComment start="/\*" end="\*/" contains=ipsfTodo

hi def link ipsfDecl Structure
hi def link ipsfKeyword Keyword
hi def link ipsfOperatorWord Operator
hi def link ipsfOperator Operator
hi def link ipsfType Type
hi def link ipsfBoolean Boolean
hi def link ipsfNumber Number
hi def link ipsfFunction Function
hi def link ipsfString String
hi def link ipsfEscape SpecialChar
hi def link ipsfComment Comment
hi def link ipsfTodo Todo

let b:current_syntax = 'ipsf'
